/** Count, p50, p95 and max of one second's latencies in µs, for the latency-vs-occupancy series. */
export function summariseLatenciesUs(valuesUs: number[]): [count: number, p50Us: number, p95Us: number, maxUs: number] {
  if (valuesUs.length === 0) return [0, 0, 0, 0];
  const sorted = Float64Array.from(valuesUs).sort();
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return [sorted.length, at(0.5), at(0.95), sorted[sorted.length - 1]!];
}
