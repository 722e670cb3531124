export { runBench, measureOrExplain, type BenchOptions, type BenchEvents, type BenchProgress } from "./run-bench.js";
export type { BenchResult } from "./bench-result.js";
export { benchResultSchemaVersion } from "./bench-result.js";
export { aggregateSessions, summarizeSession, addPooled, pooledFrom, type BenchAggregate, type BenchSession, type BenchPooled, type PooledTrend } from "./bench-sessions.js";
export { mergeShards, type ShardInput } from "./merge-shards.js";
export { liveTalkingAudioBody, liveTalkingTextBody, parseTalkBody, type TalkDriver } from "./talk-driver.js";
export type { TalkOptions, TalkResult } from "./talk-run.js";
export { parseMetricsListen, startMetricsEndpoint, type MetricsListen, type LiveRun } from "./metrics-endpoint.js";
