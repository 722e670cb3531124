import { performance } from "node:perf_hooks";

/**
 * Stretches in which a thread's event loop ran nothing else. In the probe, packets that arrived
 * meanwhile waited in the socket and were stamped when it came back, so their arrival times are late
 * by up to the stall; in the pusher, packets stamped as sent just before one left when it ended.
 * Times are on the watching thread's clock (performance.now()) unless said otherwise.
 */
export interface LoopStalls {
  thresholdMs: number;
  maxMs: number;
  /** [start, duration] of every stall of at least `thresholdMs`, oldest first (at most `maxKept`). */
  stalls: [number, number][];
  /** Stalls beyond the kept ones, counted only. */
  dropped: number;
}

const tickMs = 2;
const maxKept = 10_000;

/**
 * Watches this thread's event loop until `stop()`: every stall of `thresholdMs` or more, when and how
 * long; `read()` tells what was seen so far. `excusedMs` (a running total) is time the thread blocked
 * by design, left out of the stalls: a pusher thread sleeping until its next frame is not stalled.
 */
export function watchLoopStalls(thresholdMs = 2, excusedMs: () => number = () => 0): { read(): LoopStalls; stop(): LoopStalls } {
  const stalls: [number, number][] = [];
  let dropped = 0;
  let maxMs = 0;
  let last = performance.now();
  let excusedBefore = excusedMs();
  const timer = setInterval(() => {
    const now = performance.now();
    const excused = excusedMs();
    const stallMs = now - last - tickMs - (excused - excusedBefore);
    excusedBefore = excused;
    if (stallMs >= thresholdMs) {
      if (stalls.length < maxKept) stalls.push([last + tickMs, stallMs]);
      else dropped++;
      maxMs = Math.max(maxMs, stallMs);
    }
    last = now;
  }, tickMs);
  const read = (): LoopStalls => ({ thresholdMs, maxMs, stalls: [...stalls], dropped });
  return {
    read,
    stop() {
      clearInterval(timer);
      return read();
    },
  };
}

/** How late an arrival stamped at `atMs` may be from stalls: those that ended around it. */
export function stallDelayBoundMs(loop: Pick<LoopStalls, "stalls">, atMs: number, marginMs = 20): number {
  return loop.stalls.reduce((sum, [startMs, ms]) => (Math.abs(startMs + ms - atMs) <= marginMs ? sum + ms : sum), 0);
}
