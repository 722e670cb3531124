// The pusher's lateness ledger (issue 16, item 5): what goes in comes back, in order, in pairs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LatenessLog } from "../../../src/lib/pusher/index.js";

describe("LatenessLog", () => {
  it("gives back every [index, ms] pair in the order pushed, across chunks", () => {
    const log = new LatenessLog();
    const pairs: Array<[number, number]> = [];
    // 10,000 entries (three 4,096-entry chunks); indexes repeat and skip, as a paced video stream's do.
    for (let i = 0; i < 10_000; i++) pairs.push([Math.floor(i * 0.97) + (i % 7 === 0 ? 3 : 0), (i % 13) * 0.123456789 - 0.5]);
    for (const [index, ms] of pairs) log.push(index, ms);
    assert.equal(log.length, pairs.length);
    assert.deepEqual(log.toPairs(), pairs);
    assert.deepEqual(new LatenessLog().toPairs(), []);
  });
});
