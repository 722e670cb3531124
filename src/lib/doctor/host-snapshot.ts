import { release } from "node:os";
import { execa } from "execa";
import { readSysctls, sysctlCatalog, type SysctlReading } from "../sysctl/index.js";
import { readSockstat, readTcpCounters, type SockstatTotals } from "../tcp/index.js";

/** What the doctor read from the host, and what it could not (read-only: plain reads of /proc and `ss -s`). */
export interface HostSnapshot {
  kernel: string;
  root: boolean;
  sysctls: Record<string, string | null>;
  sockstat: SockstatTotals | null;
  counters: Record<string, number> | null;
  ssSummary: { total: number; established: number; closed: number; orphaned: number; timeWait: number } | null;
  unreadable: Array<{ what: string; reason: string }>;
}

// Beyond the catalogue: the accept queue bound a reconnect storm fills.
const extraSysctls = ["net.core.somaxconn"];

/** Parses the `TCP:` line of `ss -s` (`TCP:   2 (estab 0, closed 1, orphaned 0, timewait 1)`). */
export function parseSsSummary(text: string): HostSnapshot["ssSummary"] {
  const match = /^TCP:\s+(\d+)\s+\(estab (\d+), closed (\d+), orphaned (\d+), timewait (\d+)/m.exec(text);
  if (!match) return null;
  const [total, established, closed, orphaned, timeWait] = match.slice(1).map(Number) as [number, number, number, number, number];
  return { total, established, closed, orphaned, timeWait };
}

function attempt<T>(what: string, read: () => T, unreadable: HostSnapshot["unreadable"]): T | null {
  try {
    return read();
  } catch (error) {
    unreadable.push({ what, reason: (error as Error).message.split("\n")[0]! });
    return null;
  }
}

/** Reads the host's kernel, TCP sysctls, sockstat, counters and `ss -s`, noting (not failing on) whatever it may not read. */
export async function readHostSnapshot(): Promise<HostSnapshot> {
  const unreadable: HostSnapshot["unreadable"] = [];
  const readings: SysctlReading[] = readSysctls([...sysctlCatalog.map((fact) => fact.key), ...extraSysctls]);
  for (const reading of readings) if (reading.value === null) unreadable.push({ what: reading.key, reason: reading.unreadable });
  const ss = await execa("ss", ["-s"], { reject: false });
  if (ss.exitCode !== 0) unreadable.push({ what: "ss -s", reason: ss.stderr.trim() || `exit ${ss.exitCode ?? ss.code}` });
  return {
    kernel: release(),
    root: process.getuid?.() === 0,
    sysctls: Object.fromEntries(readings.map((reading) => [reading.key, reading.value])),
    sockstat: attempt("/proc/net/sockstat", () => readSockstat(), unreadable),
    counters: attempt("/proc/net/snmp and /proc/net/netstat", () => readTcpCounters(), unreadable),
    ssSummary: ss.exitCode === 0 ? parseSsSummary(ss.stdout) : null,
    unreadable,
  };
}
