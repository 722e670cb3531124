import type { CloseMode } from "./close-mode.js";
import { createLoadShape, type LoadShape, type LoadShapeSpec } from "./load-shape.js";
import { atStormStart, createStormBatcher, recordCycleOutcome, type StormBatch } from "./storm-batch.js";
import { runWsCycle } from "./ws-cycle.js";

/** One worker's share of a storm. */
export interface StormClientConfig {
  worker: number;
  url: string;
  closeMode: CloseMode;
  messages: number;
  shape: LoadShapeSpec;
  cycles: number;
  durationS: number;
  concurrency: number;
  timeoutMs: number;
  startAtEpochMs: number;
}

/** How a worker tells the runner it finished (stopped by its bounds or by a stop request); its batches say what happened. */
export interface StormClientDone {
  type: "done";
  worker: number;
  started: number;
  /** Cycles the shape made due within the storm's bounds that never started: the worker fell behind its shape. */
  dueNotStarted: number;
  stopped: boolean;
}

/** When the shape makes its `index`-th cycle (0-based) due, in s from the storm's start: the shape's inverse, by bisection. */
export function dueTimeS(shape: LoadShape, index: number, durationS: number): number {
  let low = 0;
  let high = durationS;
  for (let step = 0; step < 48; step += 1) {
    const middle = (low + high) / 2;
    if (Math.floor(shape.cyclesDueBy(middle) + 1e-9) > index) high = middle;
    else low = middle;
  }
  return high;
}

/** Runs cycles at the shape's rate within the bounds, reporting ≈100 ms batches; `stop()` ends early and waits for in-flight cycles. */
export function runStormClient(config: StormClientConfig, emit: (message: StormBatch | StormClientDone) => void): { stop(): void; done: Promise<void> } {
  const shape = createLoadShape(config.shape);
  const batches = createStormBatcher(config.worker, config.startAtEpochMs, emit);
  let started = 0;
  let inFlight = 0;
  let stopped = false;
  let finished = false;
  let startMs = 0;
  let pumpTimer: NodeJS.Timeout | undefined;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const schedulingOver = (): boolean => stopped || started >= config.cycles || (performance.now() - startMs) / 1000 >= config.durationS;

  const finishIfIdle = (): void => {
    if (finished || !schedulingOver() || inFlight > 0) return;
    finished = true;
    clearTimeout(pumpTimer);
    batches.close();
    // A cycle due exactly at the end is not in the storm (scheduling stops there), as in the predictions.
    const elapsedS = Math.min(config.durationS - 1e-6, (performance.now() - startMs) / 1000);
    const dueAtEnd = stopped ? started : Math.min(config.cycles, Math.floor(shape.cyclesDueBy(elapsedS) + 1e-9));
    emit({ type: "done", worker: config.worker, started, dueNotStarted: Math.max(0, dueAtEnd - started), stopped });
    resolveDone();
  };

  const pump = (): void => {
    if (schedulingOver()) return finishIfIdle();
    const due = Math.min(config.cycles, Math.floor(shape.cyclesDueBy((performance.now() - startMs) / 1000) + 1e-9));
    const nowS = (performance.now() - startMs) / 1000;
    while (started < due && inFlight < config.concurrency) {
      const batch = batches.at();
      batch.startLateMs.push(Math.round((nowS - dueTimeS(shape, started, config.durationS)) * 10_000) / 10);
      started += 1;
      inFlight += 1;
      batch.started += 1;
      void runWsCycle(config).then((outcome) => {
        inFlight -= 1;
        const endedEpochMs = Date.now();
        recordCycleOutcome(batches.at(endedEpochMs), outcome, endedEpochMs);
        pump();
      });
    }
  };

  const loop = (): void => {
    pump();
    if (!schedulingOver()) pumpTimer = setTimeout(loop, 1);
    else finishIfIdle();
  };

  atStormStart(config.startAtEpochMs, () => {
    startMs = performance.now();
    loop();
  });

  return {
    stop() {
      stopped = true;
      finishIfIdle();
    },
    done,
  };
}
