import { execa } from "execa";
import { parseNetstatLine } from "./netstat-line.js";
import { parseSsLine, type SsSocket } from "./ss-line.js";
import { countTcpStatesBySide, type TcpStateCensus } from "./tcp-state-census.js";

/** Where to list sockets and with which tools; the tool names are injectable so the netstat fallback can be tested. */
export interface TcpStateSource {
  namespace: string | undefined;
  targetPort: number;
  ssCommand?: string;
  netstatCommand?: string;
}

/** One breakdown sample and the tool that produced it. */
export interface TcpStateSample extends TcpStateCensus {
  tool: "ss" | "netstat";
  durationMs: number;
}

function inNamespace(namespace: string | undefined, command: string, args: string[]): [string, string[]] {
  return namespace ? ["ip", ["netns", "exec", namespace, command, ...args]] : [command, args];
}

async function listWithSs(source: TcpStateSource): Promise<SsSocket[]> {
  // The port filter runs in the kernel (inet_diag), so only the target's sockets cross into userspace.
  const filter = `( sport = :${source.targetPort} or dport = :${source.targetPort} )`;
  const [command, args] = inNamespace(source.namespace, source.ssCommand ?? "ss", ["-Htano", filter]);
  const { stdout } = await execa(command, args);
  return stdout.split("\n").filter((line) => line.trim() !== "").map(parseSsLine);
}

async function listWithNetstat(source: TcpStateSource): Promise<SsSocket[]> {
  const [command, args] = inNamespace(source.namespace, source.netstatCommand ?? "netstat", ["-ant"]);
  const { stdout } = await execa(command, args);
  return stdout.split("\n").flatMap((line) => parseNetstatLine(line) ?? []);
}

function isMissingTool(error: unknown): boolean {
  const failure = error as { code?: string; exitCode?: number; stderr?: string };
  return failure.code === "ENOENT" || failure.exitCode === 127 || /exec of .* failed/.test(failure.stderr ?? "");
}

/** Counts the target port's sockets by state and side with `ss` (≤ 1 Hz: a spawn costs 5–60 ms), or `netstat` where ss is missing. */
export async function sampleTcpStates(source: TcpStateSource): Promise<TcpStateSample> {
  const startedMs = performance.now();
  let tool: "ss" | "netstat" = "ss";
  let sockets: SsSocket[];
  try {
    sockets = await listWithSs(source);
  } catch (error) {
    if (!isMissingTool(error)) throw error;
    tool = "netstat";
    sockets = await listWithNetstat(source);
  }
  return { tool, durationMs: performance.now() - startedMs, ...countTcpStatesBySide(sockets, source.targetPort) };
}
