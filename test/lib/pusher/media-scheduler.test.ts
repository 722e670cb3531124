import { strict as assert } from "node:assert";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { MediaScheduler } from "../../../src/lib/pusher/media-scheduler.js";

test("runs jobs in due order, never early, and forgets cancelled ones", async () => {
  const scheduler = new MediaScheduler();
  const start = performance.now();
  const ran: Array<[string, number, number]> = [];
  const record = (name: string, dueMs: number) => (nowMs: number) => ran.push([name, dueMs, nowMs]);
  const cancelled = record("cancelled", start + 15);
  scheduler.at(start + 30, record("c", start + 30));
  scheduler.at(start + 10, record("a", start + 10));
  scheduler.at(start + 15, cancelled);
  scheduler.at(start + 20, record("b", start + 20));
  scheduler.cancel((run) => run === cancelled);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(ran.map(([name]) => name), ["a", "b", "c"]);
  for (const [name, dueMs, nowMs] of ran) assert.ok(nowMs >= dueMs, `${name} ran ${dueMs - nowMs} ms early`);
  assert.equal(scheduler.pending, 0);
});

test("in a worker thread (where the last stretch is slept in Atomics.wait) too: due order, never early, I/O still served", async () => {
  const schedulerUrl = new URL("../../../src/lib/pusher/media-scheduler.ts", import.meta.url).href;
  const body = `
    const { parentPort } = await import("node:worker_threads");
    const { MediaScheduler } = await import(${JSON.stringify(schedulerUrl)});
    const scheduler = new MediaScheduler();
    const start = performance.now() + 20;
    const ran = [];
    // 60 jobs 0.4 ms apart (inside the 2 ms stretch the thread sleeps through), some due together.
    for (let i = 0; i < 60; i++) { const due = start + Math.floor(i / 2) * 0.4; scheduler.at(due, (now) => ran.push([i, due, now])); }
    // A timer due in the middle must still fire: the thread returns to its loop between wake-ups.
    let timerFired = false;
    setTimeout(() => (timerFired = true), 25);
    setTimeout(() => parentPort.postMessage({ ran, timerFired, pending: scheduler.pending }), 80);
  `;
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import("data:text/javascript," + encodeURIComponent(${JSON.stringify(`(async () => {${body}})()`)})); });`;
  const { Worker } = await import("node:worker_threads");
  const worker = new Worker(bootstrap, { eval: true });
  const { ran, timerFired, pending } = await new Promise<{ ran: Array<[number, number, number]>; timerFired: boolean; pending: number }>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  await worker.terminate();
  assert.equal(ran.length, 60);
  assert.deepEqual(ran.map(([i]) => i), Array.from({ length: 60 }, (_, i) => i));
  for (const [i, dueMs, nowMs] of ran) assert.ok(nowMs >= dueMs, `job ${i} ran ${dueMs - nowMs} ms early`);
  assert.equal(timerFired, true);
  assert.equal(pending, 0);
});
