import type { StormBatch } from "./storm-batch.js";

/** One second of the storm, all workers added. */
export interface StormSecond {
  started: number;
  succeeded: number;
  failed: number;
  errors: Record<string, number>;
  connectUs: number[];
  handshakeUs: number[];
}

/** Running totals and per-second buckets of every worker's batches. */
export interface StormTally {
  started: number;
  succeeded: number;
  failed: number;
  errors: Record<string, number>;
  closeCodes: Record<string, number>;
  firstFailureEpochMs?: number;
  seconds: Map<number, StormSecond>;
}

/** Starts an empty tally. */
export function createStormTally(): StormTally {
  return { started: 0, succeeded: 0, failed: 0, errors: {}, closeCodes: {}, seconds: new Map() };
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

/** Adds a worker's batch to the totals and to the second of the storm its events happened in. */
export function addStormBatch(tally: StormTally, batch: StormBatch): void {
  if (batch.firstFailureEpochMs !== undefined && (tally.firstFailureEpochMs === undefined || batch.firstFailureEpochMs < tally.firstFailureEpochMs)) {
    tally.firstFailureEpochMs = batch.firstFailureEpochMs;
  }
  tally.started += batch.started;
  tally.succeeded += batch.succeeded;
  tally.failed += batch.failed;
  addCounts(tally.errors, batch.errors);
  addCounts(tally.closeCodes, batch.closeCodes);
  const second = batch.second;
  let bucket = tally.seconds.get(second);
  if (!bucket) {
    bucket = { started: 0, succeeded: 0, failed: 0, errors: {}, connectUs: [], handshakeUs: [] };
    tally.seconds.set(second, bucket);
  }
  bucket.started += batch.started;
  bucket.succeeded += batch.succeeded;
  bucket.failed += batch.failed;
  addCounts(bucket.errors, batch.errors);
  for (const value of batch.connectUs) bucket.connectUs.push(value);
  for (const value of batch.handshakeUs) bucket.handshakeUs.push(value);
}
