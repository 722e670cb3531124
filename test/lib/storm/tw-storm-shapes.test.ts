// test: system, group storm
import assert from "node:assert/strict";
import { test } from "node:test";
import { runTwStorm } from "../../../src/lib/storm/index.js";
import { isRoot, stormOptions } from "./storm-flags.js";

// The ramp and burst shapes over real sockets (load-shape.test.ts checks their arithmetic): what the
// storm started each second follows the shape.
test("a ramp from 50/s to 400/s over 4 s starts ~94, ~181, ~269, ~356 cycles in its four seconds", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ shape: "ramp", "ramp-from": "50", rate: "400", duration: "4" }));
  // The series begins when sampling does, a moment before the first cycle.
  const all = result.series.cyclesPerS.map(([, s]) => s);
  const started = all.slice(all.findIndex((s) => s > 0));
  t.diagnostic(`started per second: ${all.join(", ")}; succeeded ${result.cycles.succeeded} of ${result.cycles.started}`);
  assert.equal(result.cycles.failed, 0);
  // ∫ (50 + 87.5 t) dt over 4 s = 900.
  assert.ok(Math.abs(result.cycles.started - 900) <= 45, `${result.cycles.started} started`);
  const expected = [93.75, 181.25, 268.75, 356.25];
  for (const [i, want] of expected.entries()) {
    assert.ok(Math.abs(started[i]! - want) <= want * 0.2 + 10, `second ${i + 1}: ${started[i]} started, ${want} due`);
  }
});

test("bursts of 150 every second: 150 start each second, and the prediction counts only the bursts that happen", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ shape: "burst", "burst-cycles": 150, "burst-period": "1", duration: "3", concurrency: 200 }));
  t.diagnostic(`started ${result.cycles.started}, succeeded ${result.cycles.succeeded}; per second ${result.series.cyclesPerS.map(([, s]) => s).join(", ")}`);
  assert.equal(result.cycles.failed, 0);
  assert.equal(result.cycles.started, 450);
  assert.equal(result.predictions.meanRatePerS, 150);
  const all = result.series.cyclesPerS.map(([, s]) => s);
  // Buckets start with the storm and a burst never starts before it is due, so each lands whole in its second.
  assert.deepEqual(all.filter((s) => s > 0), [150, 150, 150], `started per second: ${all.join(", ")}`);
  assert.equal(result.predictions.steadyStateTw, 150 * 60);
});
