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
