// The probe's account of its own stalls, checked against stalls made on purpose: the loop is held
// busy for a known time, and the watch must report a stall that long, where it happened.
import { strict as assert } from "node:assert";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { stallDelayBoundMs, watchLoopStalls } from "../../../src/lib/probe/index.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function holdLoop(ms: number): [number, number] {
  const from = performance.now();
  while (performance.now() - from < ms);
  return [from, performance.now()];
}

test("a loop held busy for 60 ms and for 25 ms reads as those two stalls, at those times", async () => {
  const watch = watchLoopStalls();
  await sleep(20);
  const [from60, to60] = holdLoop(60);
  await sleep(30);
  const [from25, to25] = holdLoop(25);
  await sleep(20);
  const loop = watch.stop();
  for (const [from, to] of [[from60, to60], [from25, to25]] as const) {
    // The watch ticks every 2 ms: the stall it saw began when its next tick was due (within a tick
    // of the hold's start, or earlier when a busy neighbour had the core just before the hold: one
    // stall began 10 ms early so) and ended as the loop came back (with the hold's end; a busy
    // neighbour may take the core for a few ms in between, which is a stall too).
    const seen = loop.stalls.find(([startMs, ms]) => startMs <= from + 3 && startMs + ms >= to - 0.5 && startMs + ms <= to + 5);
    assert.ok(seen, `a stall from ${from.toFixed(1)} to ${to.toFixed(1)} ms: ${JSON.stringify(loop.stalls)}`);
  }
  assert.ok(loop.maxMs >= to60 - from60 - 3);
});

test("time the thread blocked by design is no stall: a 60 ms hold declared as sleep reads as none, a 25 ms one undeclared as itself", async () => {
  let sleptMs = 0;
  const watch = watchLoopStalls(2, () => sleptMs);
  await sleep(20);
  const [from60, to60] = holdLoop(60);
  sleptMs += to60 - from60;
  await sleep(30);
  const [from25, to25] = holdLoop(25);
  await sleep(20);
  const loop = watch.stop();
  // What is left of the declared hold is the tick's own lateness, as around any tick (under 10 ms even beside a busy neighbour).
  assert.ok(!loop.stalls.some(([startMs, ms]) => startMs <= to60 && startMs + ms >= from60 && ms >= 10), `no stall over the declared hold: ${JSON.stringify(loop.stalls)}`);
  assert.ok(loop.stalls.some(([startMs, ms]) => startMs <= from25 + 3 && startMs + ms >= to25 - 0.5), `the 25 ms hold from ${from25.toFixed(1)}: ${JSON.stringify(loop.stalls)}`);
});

test("an arrival stamped as a stall ends is allowed that stall, one far from it none", () => {
  const loop = { stalls: [[1000, 50], [2000, 8]] as [number, number][] };
  assert.equal(stallDelayBoundMs(loop, 1051), 50);
  assert.equal(stallDelayBoundMs(loop, 2010), 8);
  assert.equal(stallDelayBoundMs(loop, 1500), 0);
});
