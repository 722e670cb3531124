import { EventEmitter } from "node:events";
import { Worker } from "node:worker_threads";
import type { PacingReport } from "../pusher/index.js";
import type { HeapFigures } from "../run/index.js";
import type { EmbeddedTarget, EmbeddedTargetOptions, TargetSession } from "./embedded-target.js";
import type { WhipPublishOptions } from "./whip-publisher.js";
import type { TargetWorkerCommand, TargetWorkerEvent } from "./target-thread-messages.js";

const fromSource = import.meta.url.endsWith(".ts");
const workerUrl = new URL(fromSource ? "./target-worker.ts" : "./target-worker.js", import.meta.url);

// Run from source (tests, tsx), a worker thread does not inherit tsx's loader: register it first.
function createWorker(workerData: unknown): Worker {
  if (!fromSource) return new Worker(workerUrl, { workerData });
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Starts the embedded target in a worker thread of its own and returns the same interface as
 * the in-process one: a pusher must not share its event loop with the probe that measures it.
 * With `publishUrl` the thread publishes to a relay with WHIP instead of serving viewers.
 */
export async function startEmbeddedTargetThread(options: EmbeddedTargetOptions | WhipPublishOptions): Promise<EmbeddedTarget> {
  const worker = createWorker(options);
  const send = (command: TargetWorkerCommand): void => worker.postMessage(command);
  const events = new EventEmitter<{ session: [TargetSession]; sessionError: [Error] }>();
  const sessions: TargetSession[] = [];
  const finishers = new Map<number, (pacing: PacingReport) => void>();
  let closed: Promise<void> | undefined;
  let heap: HeapFigures | null = null;

  const ready = new Promise<TargetWorkerEvent & { type: "ready" }>((resolve, reject) => {
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`the embedded target's thread exited (code ${code}) before it was ready`)));
    worker.on("message", (event: TargetWorkerEvent) => {
      switch (event.type) {
        case "ready":
          resolve(event);
          break;
        case "failed":
          reject(new Error(event.message));
          break;
        case "session": {
          const session: TargetSession = {
            id: event.id,
            stop: () => send({ type: "stopSession", id: event.id }),
            finished: new Promise((done) => finishers.set(event.id, done)),
          };
          sessions.push(session);
          events.emit("session", session);
          break;
        }
        case "sessionFinished":
          finishers.get(event.id)?.(event.pacing);
          break;
        case "sessionError":
          events.emit("sessionError", new Error(event.message));
          break;
        case "heap":
          heap = event.figures;
          break;
        case "closed":
          break;
      }
    });
  });
  const { url, pattern } = await ready.catch(async (error: Error) => {
    await worker.terminate();
    throw error;
  });
  return Object.assign(events, {
    url,
    pattern,
    sessions,
    heap: () => heap,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate(), 3000);
        worker.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        send({ type: "close" });
      });
      return closed;
    },
  });
}
