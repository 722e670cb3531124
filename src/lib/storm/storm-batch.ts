import type { CycleOutcome } from "./ws-cycle.js";

/** What a worker measured in one ≈100 ms slice; the runner adds slices from all workers. */
export interface StormBatch {
  type: "batch";
  worker: number;
  epochMs: number;
  started: number;
  succeeded: number;
  failed: number;
  errors: Record<string, number>;
  closeCodes: Record<string, number>;
  connectUs: number[];
  handshakeUs: number[];
  firstFailureEpochMs?: number;
}

/** Starts an empty slice. */
export function createStormBatch(worker: number): StormBatch {
  return { type: "batch", worker, epochMs: Date.now(), started: 0, succeeded: 0, failed: 0, errors: {}, closeCodes: {}, connectUs: [], handshakeUs: [] };
}

/** Adds one cycle's outcome to a slice. */
export function recordCycleOutcome(batch: StormBatch, outcome: CycleOutcome, epochMs: number): void {
  if (outcome.ok) batch.succeeded += 1;
  else {
    batch.failed += 1;
    batch.firstFailureEpochMs ??= epochMs;
  }
  if (outcome.errno) batch.errors[outcome.errno] = (batch.errors[outcome.errno] ?? 0) + 1;
  if (outcome.closeCode !== undefined && outcome.handshakeUs !== undefined) {
    batch.closeCodes[outcome.closeCode] = (batch.closeCodes[outcome.closeCode] ?? 0) + 1;
  }
  if (outcome.connectUs !== undefined) batch.connectUs.push(Math.round(outcome.connectUs));
  if (outcome.handshakeUs !== undefined) batch.handshakeUs.push(Math.round(outcome.handshakeUs));
}
