import { performance } from "node:perf_hooks";
import { isMainThread } from "node:worker_threads";

type Job = { dueMs: number; run: (nowMs: number) => void };

// setTimeout alone fires 1–2 ms late on Node; the last stretch is covered by yielding through
// setImmediate, which keeps I/O flowing while it waits.
const spinWindowMs = 2;
// In a worker thread (the pushers' own) that last stretch is slept in `Atomics.wait`, which wakes
// within tens of µs without burning the core: sessions each at their own phase (pusher-session.ts)
// wake the thread hundreds of times a second, and spinning through each stretch cost more CPU than
// the sending (docs/PERFORMANCE.md). I/O is still served once between wake-ups. The main thread
// (the talking head, tests) keeps spinning: it must not block.
const blockingWait = !isMainThread;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
let sleptMs = 0;

/**
 * How long this thread has slept in `Atomics.wait` so far, in ms: the loop ran nothing else then, by
 * design, so a watch of its stalls leaves that out (pusher-session.ts).
 */
export function scheduledSleepMs(): number {
  return sleptMs;
}

/**
 * One process-wide timer for every pusher session: jobs run in due order with sub-millisecond
 * lateness, and sessions that share a grid share one wake-up instead of spinning separately.
 */
export class MediaScheduler {
  private readonly jobs: Job[] = [];
  private timer: NodeJS.Timeout | undefined;
  private spinning = false;

  /** Runs `run` at `dueMs` (performance.now() time base); it receives the time it actually ran. */
  at(dueMs: number, run: (nowMs: number) => void): void {
    const job = { dueMs, run };
    let lo = 0;
    let hi = this.jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.jobs[mid]!.dueMs <= dueMs) lo = mid + 1;
      else hi = mid;
    }
    this.jobs.splice(lo, 0, job);
    if (lo === 0) this.arm();
  }

  /** Number of jobs waiting: a pusher that is stopped leaves none behind. */
  get pending(): number {
    return this.jobs.length;
  }

  /** Drops every job for which `belongs` is true (a session that stops). */
  cancel(belongs: (run: (nowMs: number) => void) => boolean): void {
    for (let i = this.jobs.length - 1; i >= 0; i--) if (belongs(this.jobs[i]!.run)) this.jobs.splice(i, 1);
    if (this.jobs.length === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(): void {
    if (this.spinning) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.jobs[0];
    if (!next) return;
    const waitMs = next.dueMs - performance.now() - spinWindowMs;
    if (waitMs > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.spin();
      }, waitMs);
    } else {
      this.spin();
    }
  }

  private spin(): void {
    this.spinning = true;
    const tick = (): void => {
      let now = performance.now();
      const first = this.jobs[0];
      if (blockingWait && first && first.dueMs > now && first.dueMs - now <= spinWindowMs) {
        Atomics.wait(sleeper, 0, 0, first.dueMs - now);
        const woke = performance.now();
        sleptMs += woke - now;
        now = woke;
      }
      while (this.jobs.length > 0 && this.jobs[0]!.dueMs <= now) {
        const job = this.jobs.shift()!;
        job.run(performance.now());
      }
      const next = this.jobs[0];
      if (next && next.dueMs - performance.now() <= spinWindowMs) {
        setImmediate(tick);
        return;
      }
      this.spinning = false;
      this.arm();
    };
    setImmediate(tick);
  }
}

/** The scheduler shared by every session in this process. */
export const mediaScheduler = new MediaScheduler();
