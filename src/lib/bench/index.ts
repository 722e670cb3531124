export { runBench, measureOrExplain, type BenchOptions, type BenchEvents, type BenchProgress } from "./run-bench.js";
export type { BenchResult } from "./bench-result.js";
export { benchResultSchemaVersion } from "./bench-result.js";
export { aggregateSessions, summarizeSession, type BenchAggregate, type BenchSession } from "./bench-sessions.js";
export { liveTalkingAudioBody, liveTalkingTextBody, parseTalkBody, type TalkDriver } from "./talk-driver.js";
export type { TalkOptions, TalkResult } from "./talk-run.js";
