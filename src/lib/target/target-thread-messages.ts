import type { PatternOptions } from "../media/index.js";
import type { PacingReport } from "../pusher/index.js";
import type { HeapFigures } from "../run/index.js";

/** What the target's worker thread tells the main thread. */
export type TargetWorkerEvent =
  | { type: "ready"; url: string; pattern: PatternOptions }
  | { type: "failed"; message: string }
  | { type: "session"; id: number }
  | { type: "sessionFinished"; id: number; pacing: PacingReport }
  | { type: "sessionError"; message: string }
  | { type: "closed" }
  | { type: "heap"; figures: HeapFigures };

/** What the main thread asks of the target's worker thread. */
export type TargetWorkerCommand = { type: "stopSession"; id: number } | { type: "close" };
