import { existsSync } from "node:fs";
import { execa } from "execa";
import { spawnWorkerInNamespace, type NamespaceWorker } from "../netns/index.js";
import { collectRunMetadata, type RunMetadata } from "../run/index.js";
import { prepareStormTopology, type StormTopology } from "../storm/index.js";
import { rebindHelperSource, systemPython } from "./rebind-helper.js";

/** A socket option the restart test sets on the old or the new listener. */
export type ListenerOption = "SO_REUSEADDR" | "SO_REUSEPORT";

/** One restart: what the old and new listeners had, whether the old one still listened, and what bind/listen said. */
export interface RestartRow {
  implementation: "python" | "node";
  old: ListenerOption[];
  new: ListenerOption[];
  oldListening: boolean;
  port: number;
  serverTimeWait: number;
  bind: string;
  listen: string | null;
  expected: "ok" | "EADDRINUSE";
}

/** The listener-restart table as result.json holds it. */
export interface RestartTestResult {
  schema: "avsync/restart-test-result";
  schemaVersion: 1;
  meta: RunMetadata;
  topology: "netns" | "loopback";
  address: string;
  connectionsPerCase: number;
  helper: string;
  rows: RestartRow[];
  mismatches: number;
  warnings: string[];
}

const optionSets: ListenerOption[][] = [[], ["SO_REUSEADDR"], ["SO_REUSEPORT"], ["SO_REUSEADDR", "SO_REUSEPORT"]];

// Linux's bind conflict rules (inet_bind_conflict): a port held by TIME_WAIT is free for a socket that shares
// SO_REUSEADDR or SO_REUSEPORT with those TIME_WAIT sockets (they inherit the old listener's options); a live
// listener yields only to SO_REUSEPORT on both (same user).
/** What the kernel's rules predict for one restart. */
export function expectedRebind(old: ListenerOption[], replacement: ListenerOption[], oldListening: boolean): "ok" | "EADDRINUSE" {
  const both = (option: ListenerOption): boolean => old.includes(option) && replacement.includes(option);
  if (oldListening) return both("SO_REUSEPORT") ? "ok" : "EADDRINUSE";
  return both("SO_REUSEADDR") || both("SO_REUSEPORT") ? "ok" : "EADDRINUSE";
}

const nodeEntry = new URL(`./node-rebind-entry${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url).href;

async function inNamespace(topology: StormTopology | undefined, command: string, args: string[]): Promise<string> {
  const result = topology?.serverNamespace
    ? await execa("ip", ["netns", "exec", topology.serverNamespace, command, ...args])
    : await execa(command, args);
  return result.stdout;
}

async function nodeRows(topology: StormTopology | undefined, address: string, connections: number): Promise<RestartRow[]> {
  let rows: Array<Omit<RestartRow, "implementation" | "old" | "new" | "oldListening" | "expected">> | undefined;
  const worker: NamespaceWorker = await spawnWorkerInNamespace(topology?.serverNamespace, nodeEntry, (message) => {
    if ((message as { type?: string }).type === "rows") rows = (message as { rows: typeof rows }).rows;
  });
  try {
    worker.send({ type: "run", host: address, connections });
    const deadline = Date.now() + 30_000;
    while (!rows && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    if (!rows) throw new Error("The Node listener-restart worker did not answer within 30 s.");
  } finally {
    await worker.stop();
  }
  return rows.map((row, index) => {
    const oldListening = index === 1;
    return { implementation: "node", old: ["SO_REUSEADDR"], new: ["SO_REUSEADDR"], oldListening, ...row, expected: expectedRebind(["SO_REUSEADDR"], ["SO_REUSEADDR"], oldListening) };
  });
}

/** Restarts a listener that left server-side TIME_WAIT, for every SO_REUSEADDR/SO_REUSEPORT combination, and tabulates the rebinds. */
export async function runListenerRestartTest(options: { connectionsPerCase: number; topology: "auto" | "netns" | "loopback" }): Promise<RestartTestResult> {
  const meta = collectRunMetadata("restart-test", { ...options });
  const startedPerf = performance.now();
  if (!existsSync(systemPython)) {
    throw new Error(`The listener-restart test needs ${systemPython} (Node cannot set SO_REUSEPORT on a listener). Install it with \`apt-get install python3\` (scripts/setup.sh does).`);
  }
  const topology = options.topology === "loopback" ? undefined : await prepareStormTopology({ topology: options.topology, sysctls: [] });
  const namespaced = topology?.kind === "netns" ? topology : undefined;
  const address = namespaced ? namespaced.serverAddress : "127.0.0.1";
  try {
    const cases = [false, true].flatMap((oldListening) => optionSets.flatMap((old) => optionSets.map((replacement) => ({ old, new: replacement, oldListening }))));
    const stdout = await inNamespace(namespaced, systemPython, ["-c", rebindHelperSource, address, String(options.connectionsPerCase), JSON.stringify(cases)]);
    const pythonRows: RestartRow[] = stdout.trim().split("\n").map((line, index) => {
      const measured = JSON.parse(line) as Pick<RestartRow, "port" | "serverTimeWait" | "bind" | "listen">;
      const spec = cases[index]!;
      return { implementation: "python", ...spec, ...measured, expected: expectedRebind(spec.old, spec.new, spec.oldListening) };
    });
    const rows = [...pythonRows, ...(await nodeRows(namespaced, address, options.connectionsPerCase))];
    const succeeded = (row: RestartRow): "ok" | string => (row.bind === "ok" && row.listen === "ok" ? "ok" : row.bind !== "ok" ? row.bind : row.listen!);
    const warnings = topology?.warnings ?? [];
    if (!namespaced) warnings.push("Ran on 127.0.0.1 in the host's namespace (no root): the test leaves its TIME_WAIT sockets on loopback for 60 s.");
    return {
      schema: "avsync/restart-test-result",
      schemaVersion: 1,
      meta: { ...meta, durationS: (performance.now() - startedPerf) / 1000 },
      topology: namespaced ? "netns" : "loopback",
      address,
      connectionsPerCase: options.connectionsPerCase,
      helper: `${systemPython} (${(await execa(systemPython, ["--version"])).stdout.trim()})`,
      rows,
      mismatches: rows.filter((row) => succeeded(row) !== row.expected).length,
      warnings,
    };
  } finally {
    await topology?.teardown();
  }
}
