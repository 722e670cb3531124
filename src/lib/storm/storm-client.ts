import type { CloseMode } from "./close-mode.js";
import { createLoadShape, type LoadShapeSpec } from "./load-shape.js";
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
  stopped: boolean;
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
    emit({ type: "done", worker: config.worker, started, stopped });
    resolveDone();
  };

  const pump = (): void => {
    if (schedulingOver()) return finishIfIdle();
    const due = Math.min(config.cycles, Math.floor(shape.cyclesDueBy((performance.now() - startMs) / 1000) + 1e-9));
    while (started < due && inFlight < config.concurrency) {
      started += 1;
      inFlight += 1;
      batches.at().started += 1;
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
