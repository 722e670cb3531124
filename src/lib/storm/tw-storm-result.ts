import type { RunMetadata } from "../report/index.js";
import type { LatencyPercentilesUs } from "./latency-summary.js";

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
    achievedRatePerS: number;
    stormDurationS: number;
    firstFailureS: number | null;
    lastCloseS: number | null;
  };
  timeWait: {
    baseline: Record<string, number>;
    peak: Record<string, number>;
    atStormEnd: { client: number; server: number; source: "sockstat" | "ss" };
    drainS: number | null;
    drainedToBaseline: boolean;
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
  counters: { before: Record<string, Record<string, number>>; after: Record<string, Record<string, number>>; delta: Record<string, Record<string, number>> };
  // Over the whole storm (the series hold per-second summaries), so matrix cells compare like with like.
  latencyUs: { connect: LatencyPercentilesUs; handshake: LatencyPercentilesUs };
  predictions: { meanRatePerS: number; steadyStateTw: number; expectedPeakTw: number; portRange: number; sustainableRatePerS: number };
  warnings: string[];
}
