// The one place summaries and histograms are computed, so every room agrees on what p95 means.

// The figures every series is reported with.
export interface Summary {
  count: number;
  mean: number | null;
  min: number | null;
  max: number | null;
  p5: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  maxAbs: number | null;
  stdev: number | null;
}

// [from, to): lower bound inclusive.
export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

// Fixed-width bins of a continuous series, for charts.
export interface Histogram {
  binWidth: number;
  bins: HistogramBin[];
}

// One exact value of an integer series and how often it occurred.
export interface ValueCount {
  value: number;
  count: number;
}

// Reports need the same figures for every series; an empty series gives nulls, never zeros.
export function summarize(values: readonly number[]): Summary {
  checkFinite(values);
  const count = values.length;
  if (count === 0) {
    return { count, mean: null, min: null, max: null, p5: null, p50: null, p95: null, p99: null, maxAbs: null, stdev: null };
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / count;
  // Population standard deviation: it describes the measured series, it does not estimate a wider one.
  const variance = sorted.reduce((sum, v) => sum + (v - mean) ** 2, 0) / count;
  const min = sorted[0];
  const max = sorted[count - 1];
  return {
    count,
    mean,
    min,
    max,
    p5: percentileOfSorted(sorted, 5),
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    maxAbs: Math.max(Math.abs(min), Math.abs(max)),
    stdev: Math.sqrt(variance),
  };
}

// Charts of continuous values (offsets, intervals) need fixed-width bins; bins start at
// multiples of binWidth and only non-empty bins are listed, so one outlier cannot create
// millions of empty ones.
export function histogram(values: readonly number[], opts: { binWidth: number }): Histogram {
  const { binWidth } = opts;
  if (!(binWidth > 0) || !Number.isFinite(binWidth)) {
    throw new RangeError(`Expected \`binWidth\` to be a positive number, got \`${binWidth}\`.`);
  }
  checkFinite(values);
  const counts = new Map<number, number>();
  for (const v of values) {
    const bin = Math.floor(v / binWidth);
    counts.set(bin, (counts.get(bin) ?? 0) + 1);
  }
  const bins = [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bin, count]) => ({ from: bin * binWidth, to: (bin + 1) * binWidth, count }));
  return { binWidth, bins };
}

// Integer series such as RTP timestamp steps are best shown exactly: each distinct value
// with its count, in ascending order.
export function countValues(values: readonly number[]): ValueCount[] {
  checkFinite(values);
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => a - b).map(([value, count]) => ({ value, count }));
}

// Percentile by linear interpolation between closest ranks (Hyndman & Fan type 7, the
// default of numpy and of spreadsheets' PERCENTILE.INC): rank h = (n − 1) · p / 100.
function percentileOfSorted(sorted: readonly number[], p: number): number {
  const h = ((sorted.length - 1) * p) / 100;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function checkFinite(values: readonly number[]): void {
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new RangeError(`Expected finite numbers, got \`${values[bad]}\` at index ${bad}.`);
}
