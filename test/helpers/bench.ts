import { runBench, type BenchResult } from "../../src/lib/bench/index.js";
import type { PatternOptions } from "../../src/lib/media/index.js";
import { noInjections, type Injections, type PusherMode } from "../../src/lib/pusher/index.js";

/** Runs one in-process bench against the embedded target, with the given injections. */
export function benchWith(options: {
  durationS?: number;
  mode?: PusherMode;
  pattern?: Omit<Partial<PatternOptions>, "contentOffsetMs">;
  injections?: Partial<Injections>;
}): Promise<BenchResult> {
  return runBench({
    durationS: options.durationS ?? 4,
    mode: options.mode ?? "paced",
    pattern: options.pattern ?? {},
    injections: { ...noInjections, ...options.injections },
    flags: {},
  });
}
