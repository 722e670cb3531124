import type { BenchResult } from "../bench/index.js";
import type { DoctorReport } from "../doctor/index.js";
import type { SysctlMatrixResult } from "../matrix/index.js";
import type { RestartTestResult } from "../restart/index.js";
import type { TwStormResult } from "../storm/index.js";

/** A result report.html, the charts and the gate draw on; `schema` tells them apart. */
export type RunResult = BenchResult | TwStormResult;

/** Any result.json avsync writes, each validated against its schema; the others have a summary.md only. */
export type AnyResult = RunResult | SysctlMatrixResult | RestartTestResult | DoctorReport;

/** Narrows any result to one the HTML, PNG and JUnit outputs and the gate can draw on. */
export function isRunResult(result: AnyResult): result is RunResult {
  return result.schema === "avsync/bench-result" || result.schema === "avsync/tw-storm-result";
}

/** Narrows a result to a bench run, so renderers pick their charts without casts. */
export function isBenchResult(result: RunResult): result is BenchResult {
  return result.schema === "avsync/bench-result";
}

/** Why a run is incomplete, in one line, whichever command wrote it. */
export function incompleteReasonOf(result: RunResult): string | null {
  if (result.complete) return null;
  return isBenchResult(result) ? (result.incompleteReason ?? "the run did not complete") : "the storm was interrupted";
}
