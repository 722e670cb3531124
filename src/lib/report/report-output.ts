import type { GateReport, MetricDelta } from "../gate/index.js";
import type { ChartSpec } from "./chart-specs.js";
import type { RunResult } from "../results/index.js";

/** One run as the renderers see it: its result, its charts (built once) and a label for comparisons. */
export interface RenderedRun {
  label: string;
  result: RunResult;
  charts: ChartSpec[];
}

/** What every output renders: one run, or a base → head comparison; with the gate's verdict when gated. */
export type ReportInput =
  | { kind: "run"; run: RenderedRun; gate: GateReport | null }
  | { kind: "compare"; base: RenderedRun; head: RenderedRun; deltas: MetricDelta[]; maxRegressionPct: number; gate: GateReport | null };

/**
 * The one small interface every output implements (html, png, markdown, junit): adding one means
 * adding a module and listing it in render-report.ts, never touching a runner.
 */
export interface ReportOutput {
  name: string;
  /** Writes this output's files into `folder` and returns their paths (none when it has nothing to say). */
  write(input: ReportInput, folder: string): Promise<string[]>;
}
