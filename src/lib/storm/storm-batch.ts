import type { PortUse } from "./time-wait-accounting.js";
import type { CycleOutcome } from "./ws-cycle.js";

/** What a worker measured in one ≈100 ms slice of one second of the storm; the runner adds slices from all workers. */
export interface StormBatch {
  type: "batch";
  worker: number;
  /** The storm's second (from its start) every event in this slice happened in. */
  second: number;
  started: number;
  succeeded: number;
  failed: number;
  errors: Record<string, number>;
  closeCodes: Record<string, number>;
  connectUs: number[];
  handshakeUs: number[];
  /** Each connected cycle's source port, when it connected and when it ended: the client's own record of its 4-tuples. */
  ports: PortUse[];
  /** How late each cycle started in this slice was against the moment its shape made it due, in ms (ws storms; autocannon paces HTTP itself). */
  startLateMs: number[];
  firstFailureEpochMs?: number;
  /** When the slice's last cycle ended, whatever its outcome. */
  lastEndEpochMs?: number;
  /** When the slice's last connected cycle ended: the newest TIME_WAIT is about that old. */
  lastCloseEpochMs?: number;
}

/** Starts an empty slice. */
export function createStormBatch(worker: number, second: number): StormBatch {
  return { type: "batch", worker, second, started: 0, succeeded: 0, failed: 0, errors: {}, closeCodes: {}, connectUs: [], handshakeUs: [], ports: [], startLateMs: [] };
}

/**
 * Hands out the slice for an event's time and sends one every `intervalMs` (empty ones too: they carry
 * the worker's heartbeat). A slice never spans two seconds of the storm, so each event counts in the
 * second it happened.
 */
export interface StormBatcher {
  /** The slice to record an event at `epochMs` (default now) in; the previous one is sent first if its second is over. */
  at(epochMs?: number): StormBatch;
  /** Sends the current slice now and starts a new one. */
  flush(): void;
  /** Stops the timer and sends the last slice. */
  close(): void;
}

export function createStormBatcher(worker: number, stormStartEpochMs: number, emit: (batch: StormBatch) => void, intervalMs = 100): StormBatcher {
  const secondOf = (epochMs: number): number => Math.floor((epochMs - stormStartEpochMs) / 1000);
  let batch = createStormBatch(worker, secondOf(Date.now()));
  const flush = (): void => {
    emit(batch);
    batch = createStormBatch(worker, secondOf(Date.now()));
  };
  const timer = setInterval(flush, intervalMs);
  return {
    at(epochMs = Date.now()) {
      const second = secondOf(epochMs);
      if (second !== batch.second) {
        emit(batch);
        batch = createStormBatch(worker, second);
      }
      return batch;
    },
    flush,
    close() {
      clearInterval(timer);
      flush();
    },
  };
}

/** Runs `start` once Date.now() has reached the storm's second 0 (timers may fire a millisecond early, which would count the first cycles in second −1). */
export function atStormStart(stormStartEpochMs: number, start: () => void): void {
  const check = (): void => {
    if (Date.now() < stormStartEpochMs) setTimeout(check, 1);
    else start();
  };
  setTimeout(check, Math.max(0, stormStartEpochMs - Date.now()));
}

/** Adds one cycle's outcome, ended at `epochMs`, to a slice. */
export function recordCycleOutcome(batch: StormBatch, outcome: CycleOutcome, epochMs: number): void {
  if (outcome.ok) batch.succeeded += 1;
  else {
    batch.failed += 1;
    batch.firstFailureEpochMs ??= epochMs;
  }
  batch.lastEndEpochMs = Math.max(batch.lastEndEpochMs ?? epochMs, epochMs);
  if (outcome.localPort !== undefined) batch.ports.push([outcome.localPort, outcome.portEpochMs ?? epochMs, epochMs]);
  // Only a cycle that connected leaves a TIME_WAIT behind: a failed connect() closes nothing,
  // and counting it would date the newest TIME_WAIT too late (and its lifetime too short).
  if (outcome.connectUs !== undefined) batch.lastCloseEpochMs = Math.max(batch.lastCloseEpochMs ?? epochMs, epochMs);
  if (outcome.errno) batch.errors[outcome.errno] = (batch.errors[outcome.errno] ?? 0) + 1;
  if (outcome.closeCode !== undefined && outcome.handshakeUs !== undefined) {
    batch.closeCodes[outcome.closeCode] = (batch.closeCodes[outcome.closeCode] ?? 0) + 1;
  }
  if (outcome.connectUs !== undefined) batch.connectUs.push(Math.round(outcome.connectUs));
  if (outcome.handshakeUs !== undefined) batch.handshakeUs.push(Math.round(outcome.handshakeUs));
}
