import { setPriority } from "node:os";
import { runStormClient } from "./storm-client.js";
import { runHttpStormClient } from "./http-storm-client.js";
import { startStormServer, type StormServer } from "./storm-server.js";
import type { StormWorkerReply, StormWorkerRequest } from "./storm-worker-messages.js";

// A worker process, started inside a namespace by the runner; it speaks only through the IPC channel.
// The storm's schedule and latencies are its measurement: as root it runs at nice −10, like the pusher's
// and probe's threads (rtc/thread-priority.ts), so ordinary work beside it delays its cycles less. Threads
// it starts later inherit the value; elsewhere nothing changes.
try {
  setPriority(-10);
} catch {
  // not root: the default priority
}
const send = (message: StormWorkerReply): void => {
  if (process.connected) process.send!(message);
};
let server: StormServer | undefined;
let stopStorm: (() => void) | undefined;

// When the runner dies (even by SIGKILL) the channel closes, and nothing of the storm may outlive it.
process.on("disconnect", () => process.exit(0));
process.on("SIGINT", () => {});

process.on("message", (request: StormWorkerRequest) => {
  switch (request.type) {
    case "serve":
      startStormServer(request.config).then(
        (started) => {
          server = started;
          send({ type: "listening", port: started.port });
        },
        (error: Error & { code?: string }) => send({ type: "failed", message: error.message, code: error.code }),
      );
      break;
    case "server-stats":
      send({ type: "server-stats", stats: server?.stats() });
      break;
    case "storm":
      stopStorm = runStormClient(request.config, send).stop;
      break;
    case "http-storm":
      stopStorm = runHttpStormClient(request.config, send).stop;
      break;
    case "stop":
      stopStorm?.();
      break;
  }
});

send({ type: "ready" });
