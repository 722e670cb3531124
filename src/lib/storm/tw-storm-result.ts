import type { RunMetadata } from "../run/index.js";
import type { LatencyPercentilesUs } from "./latency-summary.js";
import type { TimeWaitAccounting } from "./time-wait-accounting.js";
import type { TwStormPredictions } from "./tw-storm-predictions.js";

/** The result of one storm, as result.json holds it: every raw series needed to redraw the charts. */
export interface TwStormResult {
  schema: "avsync/tw-storm-result";
  schemaVersion: 1;
  complete: boolean;
  meta: RunMetadata & { sampler: { tool: string | null; sockstatMeanMs: number; ssMeanMs: number } };
  config: Record<string, unknown>;
  topology: { kind: "netns" | "loopback"; clientNamespace: string | null; serverNamespace: string | null; target: string };
  sysctls: { client: Record<string, string>; server: Record<string, string> };
  cycles: {
    planned: number;
    started: number;
    succeeded: number;
    failed: number;
    /** Cycles started ÷ stormDurationS. */
    achievedRatePerS: number;
    /** From the storm's start to the end of its last cycle, success or failure. */
    stormDurationS: number;
    firstFailureS: number | null;
    /** The end of the last cycle that connected: the newest TIME_WAIT is this old. */
    lastCloseS: number | null;
    /** How late cycles started against the moment the shape made them due, in ms (ws storms; null for HTTP, which autocannon paces). */
    startLateMs: { p50: number; p95: number; max: number } | null;
    /** Cycles the shape made due within the storm's bounds that never started: the storm fell behind its shape. */
    dueNotStarted: number;
  };
  timeWait: {
    baseline: Record<string, number>;
    peak: Record<string, number>;
    atStormEnd: { client: number; server: number; source: "sockstat" | "ss" };
    drainS: number | null;
    /**
     * How well drainS is known: from the last reading still above the baseline to the one that found
     * it drained (0.1 s at the sampler's 10 Hz; longer where the loop stalled). Absent in older results.
     */
    drainResolutionS?: number | null;
    drainedToBaseline: boolean;
    /** Where every cycle's TIME_WAIT went; the parts add up to the cycles started. */
    accounting: TimeWaitAccounting;
  };
  errorsByErrno: Record<string, number>;
  closeCodes: { client: Record<string, number>; server: Record<string, number> };
  server: { connections: number; requests: number } | null;
  series: {
    // tMs is relative to the storm's start everywhere; sockstat is keyed by namespace role (client/server, or host).
    sockstat: Record<string, Array<[tMs: number, tw: number, inuse: number, orphan: number]>>;
    ss: Array<[tMs: number, census: { client: Record<string, number>; server: Record<string, number> }]>;
    twTimers: Array<[tMs: number, remainingS: Record<string, number>]>;
    cyclesPerS: Array<[tMs: number, started: number, succeeded: number, failed: number]>;
    errorsByErrno: Array<[tMs: number, errors: Record<string, number>]>;
    connectLatency: Array<[tMs: number, count: number, p50Us: number, p95Us: number, maxUs: number, portOccupancy: number]>;
    handshakeLatency: Array<[tMs: number, count: number, p50Us: number, p95Us: number, maxUs: number]>;
  };
  // By namespace role; `atStormEnd` is read with timeWait.atStormEnd, `after` after the drain.
  counters: {
    before: Record<string, Record<string, number>>;
    atStormEnd: Record<string, Record<string, number>>;
    after: Record<string, Record<string, number>>;
    delta: Record<string, Record<string, number>>;
  };
  // Over the whole storm (the series hold per-second summaries), so matrix cells compare like with like.
  latencyUs: { connect: LatencyPercentilesUs; handshake: LatencyPercentilesUs };
  predictions: TwStormPredictions;
  warnings: string[];
}
