import { readFileSync } from "node:fs";

// The kernel counters that say what happened to TIME_WAIT and to aborted connections.
export const reportedCounters = [
  "Tcp.ActiveOpens",
  "Tcp.PassiveOpens",
  "Tcp.AttemptFails",
  "Tcp.EstabResets",
  "Tcp.OutRsts",
  "TcpExt.TW",
  "TcpExt.TWRecycled",
  "TcpExt.TWKilled",
  "TcpExt.PAWSActive",
  "TcpExt.PAWSEstab",
  "TcpExt.TCPACKSkippedTimeWait",
  "TcpExt.TCPTimeWaitOverflow",
  "TcpExt.TCPAbortOnData",
  "TcpExt.TCPAbortOnClose",
  "TcpExt.TCPAbortOnTimeout",
  "TcpExt.TCPAbortOnLinger",
  "TcpExt.TCPAbortFailed",
  "TcpExt.ListenOverflows",
  "TcpExt.ListenDrops",
  "TcpExt.TCPReqQFullDrop",
  "TcpExt.TCPSynRetrans",
] as const;

/** Parses the header/value line pairs of /proc/net/netstat and /proc/net/snmp into `Group.Name` → value. */
export function parseProcCounters(text: string): Record<string, number> {
  const counters: Record<string, number> = {};
  const lines = text.split("\n").filter((line) => line.includes(":"));
  for (let index = 0; index + 1 < lines.length; index += 2) {
    const [group, names] = lines[index]!.split(/:\s*/, 2) as [string, string];
    const values = lines[index + 1]!.split(/:\s*/, 2)[1]!.trim().split(/\s+/);
    names.trim().split(/\s+/).forEach((name, position) => {
      counters[`${group}.${name}`] = Number(values[position]);
    });
  }
  return counters;
}

/** Reads the reported counters of the namespace `pid` lives in (or this process's namespace). */
export function readTcpCounters(pid?: number): Record<string, number> {
  const base = pid === undefined ? "/proc/net" : `/proc/${pid}/net`;
  const all = { ...parseProcCounters(readFileSync(`${base}/snmp`, "utf8")), ...parseProcCounters(readFileSync(`${base}/netstat`, "utf8")) };
  return Object.fromEntries(reportedCounters.map((name) => [name, all[name] ?? 0]));
}

/** Subtracts two counter snapshots, so a result shows what the storm itself caused. */
export function diffTcpCounters(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.keys(after).map((name) => [name, (after[name] ?? 0) - (before[name] ?? 0)]));
}
