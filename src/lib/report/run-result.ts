import type { BenchResult } from "../bench/index.js";
import type { TwStormResult } from "../storm/index.js";

/** Any result.json avsync writes; `schema` tells them apart. */
export type RunResult = BenchResult | TwStormResult;

/** Narrows a result to a bench run, so renderers pick their charts without casts. */
export function isBenchResult(result: RunResult): result is BenchResult {
  return result.schema === "avsync/bench-result";
}

/** Why a run is incomplete, in one line, whichever command wrote it. */
export function incompleteReasonOf(result: RunResult): string | null {
  if (result.complete) return null;
  return isBenchResult(result) ? (result.incompleteReason ?? "the run did not complete") : "the storm was interrupted";
}
