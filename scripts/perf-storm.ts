// Storm throughput vs a bare net connect/close loop, and sampler cost with 30k TIME_WAIT present (issue 5).
// Everything runs inside namespace pairs this script creates and removes; needs root.
import { execa } from "execa";
import { cpus, release } from "node:os";
import { createNamespacePair, removeNamespaces, setNamespaceSysctl, startNamespaceReaper } from "../src/lib/netns/index.js";
import { runTwStorm, twStormOptionsFromFlags } from "../src/lib/storm/index.js";
import { readSockstat, sampleTcpStates } from "../src/lib/tcp/index.js";

const wideRange = "net.ipv4.ip_local_port_range=1024 65535";
const serverSource = `require("node:net").createServer((s) => s.on("error", () => {})).listen(9000, "10.213.0.2", () => console.log("up"));`;
const bareSource = `
const net = require("node:net");
const durationMs = Number(process.argv[1]);
let done = 0, inFlight = 0; const end = Date.now() + durationMs;
const one = () => { inFlight++; const s = net.connect(9000, "10.213.0.2"); s.on("error", () => {}); s.once("connect", () => { s.destroy(); }); s.once("close", () => { inFlight--; done++; if (Date.now() < end) one(); else if (inFlight === 0) console.log(done); }); };
for (let i = 0; i < 100; i++) one();`;

async function withPair<T>(sysctls: string[], body: (client: string, server: string) => Promise<T>): Promise<T> {
  const pair = await createNamespacePair();
  const reaper = startNamespaceReaper([pair.client.name, pair.server.name]);
  try {
    for (const assignment of sysctls) {
      const [key, value] = assignment.split("=") as [string, string];
      await setNamespaceSysctl(pair.client.name, key, value);
    }
    return await body(pair.client.name, pair.server.name);
  } finally {
    await removeNamespaces([pair.client.name, pair.server.name]);
    reaper.release();
  }
}

async function bareLoop(durationMs: number, sysctls: string[], afterwards?: (client: string) => Promise<void>): Promise<number> {
  return withPair(sysctls, async (client, server) => {
    const serverProcess = execa("ip", ["netns", "exec", server, process.execPath, "-e", serverSource]);
    await new Promise<void>((resolve) => serverProcess.stdout!.once("data", () => resolve()));
    const { stdout } = await execa("ip", ["netns", "exec", client, process.execPath, "-e", bareSource, String(durationMs)]);
    if (afterwards) await afterwards(client);
    serverProcess.kill("SIGTERM");
    await serverProcess.catch(() => {});
    return Number(stdout.trim()) / (durationMs / 1000);
  });
}

async function stormRate(workers: number): Promise<number> {
  const options = twStormOptionsFromFlags({
    protocol: "ws", close: "client-terminate", shape: "constant", rate: "30000", "ramp-from": "1", "burst-period": "1",
    duration: "4", concurrency: 200, messages: 0, workers, topology: "netns", port: 8080, drain: "0", timeout: "5",
    sysctl: [`client:${wideRange}`, "client:net.ipv4.tcp_tw_reuse=1"],
  });
  const result = await runTwStorm(options);
  return result.cycles.succeeded / result.cycles.stormDurationS;
}

const bareRatePerS = await bareLoop(4000, [wideRange, "net.ipv4.tcp_tw_reuse=1"]);
const oneWorkerPerS = await stormRate(1);
const twoWorkersPerS = await stormRate(2);

let sockstatMs = 0;
let ssMs = 0;
let timeWait = 0;
await bareLoop(7000, [wideRange, "net.ipv4.tcp_tw_reuse=0"], async (client) => {
  const holder = execa("ip", ["netns", "exec", client, "sleep", "30"]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  timeWait = readSockstat(holder.pid).tw;
  const reads = 2000;
  const startedMs = performance.now();
  for (let i = 0; i < reads; i += 1) readSockstat(holder.pid);
  sockstatMs = (performance.now() - startedMs) / reads;
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) samples.push((await sampleTcpStates({ namespace: client, targetPort: 9000 })).durationMs);
  ssMs = samples.reduce((a, b) => a + b, 0) / samples.length;
  holder.kill("SIGTERM");
  await holder.catch(() => {});
});

console.log(JSON.stringify({
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, kernel: release(), node: process.version },
  bareRatePerS: Math.round(bareRatePerS),
  storm1WorkerPerS: Math.round(oneWorkerPerS),
  storm2WorkersPerS: Math.round(twoWorkersPerS),
  ratio1: +(oneWorkerPerS / bareRatePerS).toFixed(3),
  ratio2: +(twoWorkersPerS / bareRatePerS).toFixed(3),
  timeWaitPresent: timeWait,
  sockstatReadMs: +sockstatMs.toFixed(4),
  ssSampleMs: +ssMs.toFixed(1),
}, null, 2));
