import type { LatencyPercentilesUs, TwStormResult } from "../storm/index.js";
import type { MatrixCellSpec } from "./matrix-axes.js";
import type { PortReuseProbe } from "./reuse-probe.js";

/** What one cell measured, reduced to the numbers the verdicts compare. */
export interface MatrixCellSummary {
  label: string;
  settings: Record<string, string>;
  cycles: { started: number; succeeded: number; failed: number };
  timeWaitPeak: { client: number; server: number; total: number };
  finWait2Peak: number;
  /** fromDrain is known within drainResolutionS (the sampling gap around the drain). */
  lifetimeS: { fromTimers: number | null; fromDrain: number | null; drainResolutionS?: number | null };
  eaddrnotavail: number;
  firstFailureS: number | null;
  connectUs: LatencyPercentilesUs;
  counters: { TW: number; TWRecycled: number; TCPTimeWaitOverflow: number };
  /** Null when the matrix varies nothing that decides port reuse (the probe is skipped). */
  portReuse: PortReuseProbe | null;
}

// ss prints whole seconds above 10 s and the census floors them, so a socket's true remaining time lies in
// [bucket, bucket + 1). The newest TIME_WAIT entered it at the last close; every later sample bounds its lifetime
// from below (t + bucket) and above (t + bucket + 1); the midpoint of the tightest bounds is the estimate.
/** TIME_WAIT lifetime of the newest sockets from the ss timers sampled after the last close. */
export function lifetimeFromTimersS(result: TwStormResult): number | null {
  const lastCloseMs = (result.cycles.lastCloseS ?? NaN) * 1000;
  let lower = -Infinity;
  let upper = Infinity;
  for (const [tMs, remaining] of result.series.twTimers) {
    const buckets = Object.entries(remaining).filter(([, count]) => count > 0).map(([bucket]) => Number(bucket));
    if (!(tMs >= lastCloseMs) || buckets.length === 0) continue;
    const newest = Math.max(...buckets);
    lower = Math.max(lower, (tMs - lastCloseMs) / 1000 + newest);
    upper = Math.min(upper, (tMs - lastCloseMs) / 1000 + newest + 1);
  }
  if (!Number.isFinite(lower) || !Number.isFinite(upper)) return null;
  return lower <= upper ? (lower + upper) / 2 : lower;
}

function sumCounter(result: TwStormResult, name: string): number {
  return Object.values(result.counters.delta).reduce((sum, delta) => sum + (delta[`TcpExt.${name}`] ?? 0), 0);
}

/** Reduces a cell's storm result and port-reuse probe to the compared numbers. */
export function summariseMatrixCell(spec: MatrixCellSpec, storm: TwStormResult, portReuse: PortReuseProbe | null): MatrixCellSummary {
  const peakOf = (role: string): number => Math.max(0, (storm.timeWait.peak[role] ?? 0) - (storm.timeWait.baseline[role] ?? 0));
  const client = peakOf("client");
  const server = peakOf("server");
  return {
    label: spec.label,
    settings: spec.settings,
    cycles: { started: storm.cycles.started, succeeded: storm.cycles.succeeded, failed: storm.cycles.failed },
    timeWaitPeak: { client, server, total: client + server },
    finWait2Peak: Math.max(0, ...storm.series.ss.map(([, census]) => (census.client.FIN_WAIT_2 ?? 0) + (census.server.FIN_WAIT_2 ?? 0))),
    lifetimeS: { fromTimers: lifetimeFromTimersS(storm), fromDrain: storm.timeWait.drainS, drainResolutionS: storm.timeWait.drainResolutionS ?? null },
    eaddrnotavail: storm.errorsByErrno.EADDRNOTAVAIL ?? 0,
    firstFailureS: storm.cycles.firstFailureS,
    connectUs: storm.latencyUs.connect,
    counters: { TW: sumCounter(storm, "TW"), TWRecycled: sumCounter(storm, "TWRecycled"), TCPTimeWaitOverflow: sumCounter(storm, "TCPTimeWaitOverflow") },
    portReuse,
  };
}
