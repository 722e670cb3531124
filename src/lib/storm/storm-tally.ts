import type { StormBatch } from "./storm-batch.js";
import type { PortUse } from "./time-wait-accounting.js";

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
  /** Every connected cycle's [source port, connected, ended] (epoch ms), all workers, in arrival order. */
  ports: PortUse[];
  /** How late each ws cycle started against its due time, in ms, all workers. */
  startLateMs: number[];
  /** Cycles due within the storm's bounds that no worker started (from the workers' done messages). */
  dueNotStarted: number;
  firstFailureEpochMs?: number;
  lastEndEpochMs?: number;
  lastCloseEpochMs?: number;
  seconds: Map<number, StormSecond>;
}

/** Starts an empty tally. */
export function createStormTally(): StormTally {
  return { started: 0, succeeded: 0, failed: 0, errors: {}, closeCodes: {}, ports: [], startLateMs: [], dueNotStarted: 0, seconds: new Map() };
}

const latest = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined ? b : b === undefined ? a : Math.max(a, b));

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [key, value] of Object.entries(from)) into[key] = (into[key] ?? 0) + value;
}

/** Adds a worker's batch to the totals and to the second of the storm its events happened in. */
export function addStormBatch(tally: StormTally, batch: StormBatch): void {
  if (batch.firstFailureEpochMs !== undefined && (tally.firstFailureEpochMs === undefined || batch.firstFailureEpochMs < tally.firstFailureEpochMs)) {
    tally.firstFailureEpochMs = batch.firstFailureEpochMs;
  }
  tally.lastEndEpochMs = latest(tally.lastEndEpochMs, batch.lastEndEpochMs);
  tally.lastCloseEpochMs = latest(tally.lastCloseEpochMs, batch.lastCloseEpochMs);
  tally.started += batch.started;
  for (const use of batch.ports) tally.ports.push(use);
  for (const late of batch.startLateMs ?? []) tally.startLateMs.push(late);
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
