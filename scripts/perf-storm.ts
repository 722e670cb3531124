// Storm churn against a bare net connect/close loop (issues 5 and 18), and the sampler's cost with 30k TIME_WAIT present.
// Every case runs in a namespace pair of its own, created for it and removed after it, so no case's TIME_WAIT can
// slow the next; bare and storm cases alternate (ABBA) over `--pairs` pairs, and the ratio is the median of the
// pairs' ratios, with its spread. Needs root. Run: node --import tsx scripts/perf-storm.ts [--pairs 5] [--seconds 4]
import { execa } from "execa";
import { once } from "node:events";
import { cpus, loadavg, release } from "node:os";
import { parseArgs } from "node:util";
import { createNamespacePair, removeNamespaces, setNamespaceSysctl, startNamespaceReaper } from "../src/lib/netns/index.js";
import { runTwStorm, twStormOptionsFromFlags } from "../src/lib/storm/index.js";
import { readSockstat, sampleTcpStates } from "../src/lib/tcp/index.js";

const { values: args } = parseArgs({ options: { pairs: { type: "string", default: "5" }, seconds: { type: "string", default: "4" } } });
const pairs = Number(args.pairs);
const seconds = Number(args.seconds);
if (!(Number.isInteger(pairs) && pairs >= 1 && pairs <= 20 && seconds > 0 && seconds <= 30)) {
  throw new Error(`Expected \`--pairs\` 1–20 and \`--seconds\` up to 30, got \`${args.pairs}\` and \`${args.seconds}\`.`);
}
if (process.getuid?.() !== 0) throw new Error("perf-storm needs root: every case runs in network namespaces it creates.");

// The same conditions for both: the client's whole port range, tcp_tw_reuse=1, the client holding TIME_WAIT
// (destroy / terminate after the connect), 100 cycles in flight, the server on 10.213.0.2:8080.
const clientSysctls = ["net.ipv4.ip_local_port_range=1024 65535", "net.ipv4.tcp_tw_reuse=1"];
const inFlight = 100;
const serverSource = `require("node:net").createServer((s) => s.on("error", () => {})).listen(8080, "10.213.0.2", () => console.log("up"));`;
// Prints how many connect → destroy cycles finished and the time from the first start to the last close.
const bareSource = `
const net = require("node:net");
const durationMs = Number(process.argv[1]), inFlight = Number(process.argv[2]);
let done = 0, open = 0, last = 0;
const start = performance.now(), end = start + durationMs;
const one = () => { open++; const s = net.connect(8080, "10.213.0.2"); s.on("error", () => {}); s.once("connect", () => s.destroy());
  s.once("close", () => { open--; done++; last = performance.now(); if (last < end) one(); else if (open === 0) console.log(JSON.stringify({ done, ms: last - start })); }); };
for (let i = 0; i < inFlight; i++) one();`;

async function withPair<T>(body: (client: string, server: string) => Promise<T>): Promise<T> {
  const pair = await createNamespacePair();
  const reaper = startNamespaceReaper([pair.client.name, pair.server.name]);
  try {
    for (const assignment of clientSysctls) {
      const [key, value] = assignment.split("=") as [string, string];
      await setNamespaceSysctl(pair.client.name, key, value);
    }
    return await body(pair.client.name, pair.server.name);
  } finally {
    await removeNamespaces([pair.client.name, pair.server.name]);
    reaper.release();
  }
}

async function bareLoop(durationMs: number, afterwards?: (client: string) => Promise<void>): Promise<number> {
  return withPair(async (client, server) => {
    const serverProcess = execa("ip", ["netns", "exec", server, process.execPath, "-e", serverSource]);
    await once(serverProcess.stdout!, "data");
    const { stdout } = await execa("ip", ["netns", "exec", client, process.execPath, "-e", bareSource, String(durationMs), String(inFlight)]);
    if (afterwards) await afterwards(client);
    serverProcess.kill("SIGTERM");
    await serverProcess.catch(() => {});
    const { done, ms } = JSON.parse(stdout) as { done: number; ms: number };
    return done / (ms / 1000);
  });
}

async function stormRate(): Promise<number> {
  const options = twStormOptionsFromFlags({
    protocol: "ws", close: "client-terminate", shape: "constant", rate: "30000", "ramp-from": "1", "burst-period": "1",
    duration: String(seconds), concurrency: inFlight, messages: 0, workers: 1, topology: "netns", port: 8080, drain: "0", timeout: "5",
    sysctl: clientSysctls.map((assignment) => `client:${assignment}`),
  });
  const result = await runTwStorm(options);
  return result.cycles.succeeded / result.cycles.stormDurationS;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const loadBefore = loadavg()[0]!;
const runs: Array<{ bare: number; storm: number; ratio: number; first: "bare" | "storm" }> = [];
for (let pair = 0; pair < pairs; pair += 1) {
  const first = pair % 2 === 0 ? "bare" : "storm";
  const rates: Record<string, number> = {};
  for (const kind of first === "bare" ? ["bare", "storm"] : ["storm", "bare"]) {
    rates[kind] = kind === "bare" ? await bareLoop(seconds * 1000) : await stormRate();
  }
  runs.push({ bare: Math.round(rates.bare!), storm: Math.round(rates.storm!), ratio: +(rates.storm! / rates.bare!).toFixed(3), first });
  process.stderr.write(`pair ${pair + 1}/${pairs}: bare ${runs.at(-1)!.bare}/s, storm ${runs.at(-1)!.storm}/s, ratio ${runs.at(-1)!.ratio}\n`);
}
const loadAfter = loadavg()[0]!;
const ratios = runs.map((run) => run.ratio);
const medianRatio = median(ratios);

// The sampler's cost where it matters: a namespace still holding the TIME_WAIT of a 7 s bare loop without reuse.
let sockstatMs = 0;
let ssMs = 0;
let timeWait = 0;
clientSysctls[1] = "net.ipv4.tcp_tw_reuse=0";
await bareLoop(7000, async (client) => {
  const holder = execa("ip", ["netns", "exec", client, "sleep", "30"]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  timeWait = readSockstat(holder.pid).tw;
  const reads = 2000;
  const startedMs = performance.now();
  for (let i = 0; i < reads; i += 1) readSockstat(holder.pid);
  sockstatMs = (performance.now() - startedMs) / reads;
  const samples: number[] = [];
  for (let i = 0; i < 5; i += 1) samples.push((await sampleTcpStates({ namespace: client, targetPort: 8080 })).durationMs);
  ssMs = samples.reduce((a, b) => a + b, 0) / samples.length;
  holder.kill("SIGTERM");
  await holder.catch(() => {});
});

console.log(JSON.stringify({
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, kernel: release(), node: process.version, loadAvg1m: { before: +loadBefore.toFixed(2), after: +loadAfter.toFixed(2) } },
  secondsPerCase: seconds,
  pairs: runs,
  bareMedianPerS: Math.round(median(runs.map((run) => run.bare))),
  stormMedianPerS: Math.round(median(runs.map((run) => run.storm))),
  medianRatio,
  // Half the range of the pairs' ratios, relative to their median.
  ratioSpread: { min: Math.min(...ratios), max: Math.max(...ratios), halfRangePct: +((100 * (Math.max(...ratios) - Math.min(...ratios))) / 2 / medianRatio).toFixed(1) },
  timeWaitPresent: timeWait,
  sockstatReadMs: +sockstatMs.toFixed(4),
  ssSampleMs: +ssMs.toFixed(1),
}, null, 2));
