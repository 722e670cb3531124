import type { PatternOptions } from "../media/index.js";
import type { PacingReport, PusherMode } from "../pusher/index.js";
import type { ProbeMeasurements } from "../probe/index.js";
import type { RunMetadata } from "../report/index.js";

export const benchResultSchemaVersion = 1;

/** The result of one `avsync bench` run: what result.json holds and what `--json` prints. */
export interface BenchResult {
  schema: "avsync/bench-result";
  schemaVersion: typeof benchResultSchemaVersion;
  /** False when the run was interrupted or failed part-way: what it measured is still here. */
  complete: boolean;
  incompleteReason: string | null;
  meta: RunMetadata;
  config: {
    target: { kind: "embedded"; url: string };
    pusher: PusherMode;
    durationS: number;
    pattern: PatternOptions;
    injections: {
      contentOffsetMs: number;
      scheduleOffsetMs: number;
      timestampOffsetMs: number;
      dropVideoFrames: number[];
      dropAudioFrames: number[];
    };
  };
  /** Markers the run should have carried, for judging how many were paired. */
  expectedMarkers: number;
  probe: ProbeMeasurements | null;
  pacing: PacingReport | null;
  received: { audioPackets: number; videoPackets: number; joinTimeMs: number | null };
}
