import type { HttpStormClientConfig } from "./http-storm-client.js";
import type { StormBatch } from "./storm-batch.js";
import type { StormClientConfig, StormClientDone } from "./storm-client.js";
import type { StormServerConfig, StormServerStats } from "./storm-server.js";

/** What the runner asks of a storm worker (one process inside a namespace, spoken to over Node's IPC channel). */
export type StormWorkerRequest =
  | { type: "serve"; config: StormServerConfig }
  | { type: "server-stats" }
  | { type: "storm"; config: StormClientConfig }
  | { type: "http-storm"; config: HttpStormClientConfig }
  | { type: "stop" };

/** What a storm worker tells the runner: that it is up, what a client measured, what the server counted. */
export type StormWorkerReply =
  | { type: "ready" }
  | { type: "listening"; port: number }
  | { type: "failed"; message: string; code?: string }
  | { type: "server-stats"; stats: StormServerStats | undefined }
  | StormBatch
  | StormClientDone;
