import assert from "node:assert/strict";
import { test } from "node:test";
import { createStormBatcher, type StormBatch } from "../../../src/lib/storm/storm-batch.js";
import { addStormBatch, createStormTally } from "../../../src/lib/storm/storm-tally.js";

// A slice used to be dated by when it was opened, so a burst that fell due on a second's boundary
// could count in the second before (or, with a late flush, after) the one it started in.
test("each event counts in the storm second it happened in, whatever the slice boundaries", () => {
  const start = 1_000_000;
  const sent: StormBatch[] = [];
  const batches = createStormBatcher(0, start, (batch) => sent.push(batch));
  batches.at(start - 50).started += 1; // before the start: second −1
  batches.at(start).started += 150; // a burst exactly at 0 s
  batches.at(start + 999.9).succeeded += 150;
  batches.at(start + 1000).started += 150; // the next burst exactly at 1 s
  batches.at(start + 1999).failed += 1;
  batches.at(start + 2000.5).started += 150;
  batches.close();
  const tally = createStormTally();
  for (const batch of sent) addStormBatch(tally, batch);
  const perSecond = [...tally.seconds.entries()].filter(([, s]) => s.started + s.succeeded + s.failed > 0).map(([second, s]) => [second, s.started, s.succeeded, s.failed]);
  assert.deepEqual(perSecond, [
    [-1, 1, 0, 0],
    [0, 150, 150, 0],
    [1, 150, 0, 1],
    [2, 150, 0, 0],
  ]);
  assert.equal(tally.started, 451);
});
