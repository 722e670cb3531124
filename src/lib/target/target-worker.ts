// Worker-thread entry of the embedded target: the pusher gets an event loop of its own, so the
// probe's work in the main thread (SRTP, recording, decoding) never delays a scheduled frame.
import { parentPort, workerData } from "node:worker_threads";
import { startEmbeddedTarget, type EmbeddedTargetOptions, type TargetSession } from "./embedded-target.js";
import { startWhipPublisher, type WhipPublishOptions } from "./whip-publisher.js";
import type { TargetWorkerEvent, TargetWorkerCommand } from "./target-thread-messages.js";
import { raiseThreadPriority } from "../rtc/index.js";
import { heapFigures } from "../run/index.js";

raiseThreadPriority();
const port = parentPort!;
const post = (event: TargetWorkerEvent): void => port.postMessage(event);
const heapReportMs = 2000;

try {
  const options = workerData as EmbeddedTargetOptions | WhipPublishOptions;
  const target = await ("publishUrl" in options ? startWhipPublisher(options) : startEmbeddedTarget(options));
  const sessions = new Map<number, TargetSession>();
  target.on("session", (session) => {
    sessions.set(session.id, session);
    post({ type: "session", id: session.id });
    void session.finished.then((pacing) => post({ type: "sessionFinished", id: session.id, pacing }));
  });
  target.on("sessionError", (error) => post({ type: "sessionError", message: error.message }));
  port.on("message", async (command: TargetWorkerCommand) => {
    if (command.type === "stopSession") sessions.get(command.id)?.stop();
    if (command.type === "close") {
      await target.close();
      post({ type: "closed" });
      port.close();
    }
  });
  post({ type: "ready", url: target.url, pattern: target.pattern });
  // This thread's heap for the run's live metrics: a soak's leak would show in what its collections leave.
  post({ type: "heap", figures: heapFigures() });
  setInterval(() => post({ type: "heap", figures: heapFigures() }), heapReportMs).unref();
} catch (error) {
  post({ type: "failed", message: (error as Error).message });
  port.close();
}
