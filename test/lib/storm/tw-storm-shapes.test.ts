// test: system, group storm
import assert from "node:assert/strict";
import { test } from "node:test";
import { runTwStorm, type TwStormResult } from "../../../src/lib/storm/index.js";
import { createLoadShape } from "../../../src/lib/storm/load-shape.js";
import { isRoot, stormOptions } from "./storm-flags.js";

/**
 * What the storm started by the end of each of its seconds, against what the shape made due by then: never
 * more (no cycle starts early), and never fewer than was due `late.max` earlier (the storm's own account of
 * how late its starts were, which a busy machine stretches) less the cycles it says never started.
 * Buckets are counted on the wall clock and the schedule on the monotonic one: a few cycles of slack.
 */
function assertFollowsShape(result: TwStormResult, dueBy: (tS: number) => number, seconds: number): void {
  const all = result.series.cyclesPerS.map(([, s]) => s);
  const started = all.slice(all.findIndex((s) => s > 0));
  const lateS = (result.cycles.startLateMs?.max ?? 0) / 1000;
  const slack = 3;
  let cumulative = 0;
  for (let second = 1; second <= seconds; second += 1) {
    cumulative += started[second - 1] ?? 0;
    const due = Math.floor(dueBy(second) + 1e-9);
    const dueEarlier = Math.floor(dueBy(Math.max(0, second - lateS)) + 1e-9);
    assert.ok(cumulative <= due + slack, `by second ${second}: ${cumulative} started, only ${due} due`);
    assert.ok(cumulative >= dueEarlier - result.cycles.dueNotStarted - slack, `by second ${second}: ${cumulative} started, ${dueEarlier} due ${lateS.toFixed(3)} s earlier`);
  }
  // A cycle due exactly at the end is not in the storm: scheduling stops there.
  assert.equal(result.cycles.started + result.cycles.dueNotStarted, Math.floor(dueBy(seconds - 1e-6) + 1e-9), "every due cycle started or is counted as not started");
}

// The ramp and burst shapes over real sockets (load-shape.test.ts checks their arithmetic): what the
// storm started each second follows the shape.
test("a ramp from 50/s to 400/s over 4 s starts ~94, ~181, ~269, ~356 cycles in its four seconds", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ shape: "ramp", "ramp-from": 50, rate: 400, duration: 4 }));
  const all = result.series.cyclesPerS.map(([, s]) => s);
  t.diagnostic(`started per second: ${all.join(", ")}; succeeded ${result.cycles.succeeded} of ${result.cycles.started}; start lateness ${JSON.stringify(result.cycles.startLateMs)} ms, ${result.cycles.dueNotStarted} due never started`);
  assert.equal(result.cycles.failed, 0);
  // ∫ (50 + 87.5 t) dt over 4 s = 900: 93.75, 181.25, 268.75, 356.25 in its four seconds.
  assertFollowsShape(result, createLoadShape({ kind: "ramp", fromPerS: 50, toPerS: 400, rampS: 4 }).cyclesDueBy, 4);
});

test("bursts of 150 every second: 150 start each second, and the prediction counts only the bursts that happen", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ shape: "burst", "burst-cycles": 150, "burst-period": 1, duration: 3, concurrency: 200 }));
  t.diagnostic(`started ${result.cycles.started}, succeeded ${result.cycles.succeeded}; per second ${result.series.cyclesPerS.map(([, s]) => s).join(", ")}; start lateness ${JSON.stringify(result.cycles.startLateMs)} ms`);
  assert.equal(result.cycles.failed, 0);
  assert.equal(result.cycles.started + result.cycles.dueNotStarted, 450);
  assert.equal(result.predictions.meanRatePerS, 150);
  // A burst never starts before it is due, so each lands whole in its second unless the storm says it ran late.
  assertFollowsShape(result, createLoadShape({ kind: "burst", burstCycles: 150, periodS: 1 }).cyclesDueBy, 3);
  assert.equal(result.predictions.steadyStateTw, 150 * 60);
});
