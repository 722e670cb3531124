// A thread's JavaScript memory as a soak needs to read it. A process's RSS saws with each isolate's
// collections: Buffers (RTP packets, SRTP output) live outside the heap but are freed only when the
// objects holding them are collected, and the embedded target's thread went ~100 s between major
// collections over a five-minute bench while RSS rose and fell by 30 MB. Growth that stays shows in
// what a major collection leaves; each thread watches its own.
import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

/** One thread's JavaScript memory: now, and as the last major collection left it. */
export interface HeapFigures {
  /** JavaScript heap in use. */
  heapBytes: number;
  /** Memory outside the heap that its objects hold (ArrayBuffers, Buffers). */
  externalBytes: number;
  /**
   * Heap in use plus external memory right after the latest major (mark-compact) collection; null before
   * the first. Buffers a collection finds dead are freed on a background thread after it, so their
   * going shows at the next one.
   */
  liveBytes: number | null;
  majorCollections: number;
}

let watch: { liveBytes: number | null; majorCollections: number } | undefined;

const inUse = (): { heapBytes: number; externalBytes: number } => {
  const stats = getHeapStatistics();
  return { heapBytes: stats.used_heap_size, externalBytes: stats.external_memory };
};

/** This thread's figures; the first call starts watching its collections. */
export function heapFigures(): HeapFigures {
  if (!watch) {
    const state = { liveBytes: null as number | null, majorCollections: 0 };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) continue;
        const { heapBytes, externalBytes } = inUse();
        state.majorCollections += 1;
        state.liveBytes = heapBytes + externalBytes;
      }
    }).observe({ entryTypes: ["gc"] });
    watch = state;
  }
  return { ...inUse(), ...watch };
}
