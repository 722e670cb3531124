import { spawnWorkerInNamespace, type NamespaceWorker, type SysctlAssignment } from "../netns/index.js";
import { prepareStormTopology } from "../storm/index.js";
import type { PortReuseSample } from "./reuse-probe-entry.js";

/** How soon a port in TIME_WAIT served a new outgoing connection to the same destination, in a cell's settings. */
export interface PortReuseProbe {
  samples: PortReuseSample[];
  /** Median over the ports; null when no port was reused before `giveUpMs`. */
  reusedAfterMs: number | null;
  giveUpMs: number;
}

const probeEntry = new URL(`./reuse-probe-entry${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url).href;
const probePort = 9090;
const probeRounds = 3;
// One port: every connect() must wait for it, which is what the probe times; the cell's own range matters not here.
const onePortRange = { side: "client" as const, key: "net.ipv4.ip_local_port_range", value: "40001 40001" };

function waitFor<T>(worker: NamespaceWorker, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The port-reuse probe sent no \`${type}\` within ${timeoutMs} ms.`)), timeoutMs);
    worker.child.on("message", (message: { type?: string; message?: string }) => {
      if (message.type !== type && message.type !== "failed") return;
      clearTimeout(timer);
      if (message.type === "failed") reject(new Error(`The port-reuse probe failed: ${message.message}`));
      else resolve(message as T);
    });
  });
}

// Each close leaves the prober's port in TIME_WAIT; connecting again from that very port to the same destination
// succeeds only when tcp_tw_reuse (and, on 6.14+, tcp_tw_reuse_delay) allows it, so the wait is what the setting does.
/** Measures, in fresh namespaces with these sysctls, how long a TIME_WAIT port blocks a new connect() from it. */
export async function probePortReuse(sysctls: SysctlAssignment[], giveUpMs = 10_000): Promise<PortReuseProbe> {
  const topology = await prepareStormTopology({ topology: "netns", sysctls: [...sysctls.filter((entry) => entry.key !== onePortRange.key), onePortRange] });
  const workers: NamespaceWorker[] = [];
  try {
    const listener = await spawnWorkerInNamespace(topology.serverNamespace, probeEntry, () => {});
    workers.push(listener);
    listener.send({ type: "listen", host: topology.serverAddress, port: probePort });
    await waitFor(listener, "listening", 10_000);
    const prober = await spawnWorkerInNamespace(topology.clientNamespace, probeEntry, () => {});
    workers.push(prober);
    prober.send({ type: "probe", host: topology.serverAddress, port: probePort, rounds: probeRounds, retryEveryMs: 5, giveUpMs });
    const { samples } = await waitFor<{ samples: PortReuseSample[] }>(prober, "probed", probeRounds * giveUpMs + 10_000);
    const reused = samples.flatMap((sample) => (sample.reusedAfterMs === null ? [] : [sample.reusedAfterMs])).sort((a, b) => a - b);
    const reusedAfterMs = reused.length === samples.length ? reused[Math.floor(reused.length / 2)]! : null;
    return { samples, reusedAfterMs, giveUpMs };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await topology.teardown();
  }
}
