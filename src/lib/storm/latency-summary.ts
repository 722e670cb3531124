import { summarize } from "../analysis/index.js";

/** Count, p50, p95 and max of one second's latencies in µs, for the latency-vs-occupancy series. */
export function summariseLatenciesUs(valuesUs: number[]): [count: number, p50Us: number, p95Us: number, maxUs: number] {
  const { count, p50, p95, max } = summariseLatencyPercentilesUs(valuesUs);
  return [count, p50, p95, max];
}

/** Percentiles of a whole storm's latencies in µs, so cells of a matrix compare on the same statistics. */
export interface LatencyPercentilesUs {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Count, p50, p95, p99 and max of all latencies of a storm, in µs (percentiles from the one stats module). */
export function summariseLatencyPercentilesUs(valuesUs: number[]): LatencyPercentilesUs {
  const s = summarize(valuesUs);
  if (s.count === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return { count: s.count, p50: s.p50!, p95: s.p95!, p99: s.p99!, max: s.max! };
}
