import type { RunResult } from "../results/index.js";
import { collectMetrics, watchedAggregates, type MetricDirection } from "./metrics.js";

// How one watched figure moved from the base run to the head run.
export type DeltaStatus = "regressed" | "worse" | "same" | "better" | "no data";

/** One row of a base → head comparison: what both the baseline gate and the compare report show. */
export interface MetricDelta {
  /** `metric.aggregate`, as a threshold would name it. */
  name: string;
  unit: string;
  direction: MetricDirection;
  base: number | null;
  head: number | null;
  /** head − base. */
  delta: number | null;
  /** How much worse head may be before it counts as a regression: max(|base| × max-regression, noise floor). */
  allowance: number | null;
  status: DeltaStatus;
}

/** Parses `--max-regression` (`10%` or `10`) into a percentage, quoting a bad value back. */
export function parseMaxRegression(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(value);
  if (!match) throw new Error(`Expected \`--max-regression\` to be a percentage such as \`10%\`, got \`${value}\`.`);
  return Number(match[1]);
}

/**
 * Compares the headline figures of two runs of the same command. A change counts as a regression
 * only past both the relative allowance and the metric's noise floor, so a 0.01 → 0.5 ms offset
 * on a clean run is not "5000 % worse".
 */
export function compareMetrics(base: RunResult, head: RunResult, maxRegressionPct: number): MetricDelta[] {
  if (base.schema !== head.schema) {
    throw new Error(`Cannot compare a ${base.schema} with a ${head.schema}; compare two runs of the same command.`);
  }
  const baseMetrics = collectMetrics(base);
  const headMetrics = collectMetrics(head);
  return watchedAggregates(head).map(({ metric, aggregate, direction, noiseFloor }) => {
    const b = baseMetrics.get(metric)?.aggregates[aggregate] ?? null;
    const h = headMetrics.get(metric)?.aggregates[aggregate] ?? null;
    const unit = headMetrics.get(metric)?.unit ?? "";
    const name = `${metric}.${aggregate}`;
    if (b === null || h === null) return { name, unit, direction, base: b, head: h, delta: null, allowance: null, status: "no data" };
    const worseBy = direction === "lower-is-better" ? h - b : direction === "higher-is-better" ? b - h : Math.abs(h) - Math.abs(b);
    const allowance = Math.max((Math.abs(b) * maxRegressionPct) / 100, noiseFloor);
    const status: DeltaStatus = worseBy > allowance ? "regressed" : worseBy > noiseFloor ? "worse" : -worseBy > noiseFloor ? "better" : "same";
    return { name, unit, direction, base: b, head: h, delta: h - b, allowance, status };
  });
}
