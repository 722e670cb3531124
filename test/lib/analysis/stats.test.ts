import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countValues, histogram, summarize } from "../../../src/lib/analysis/index.js";

describe("summarize", () => {
  it("gives nulls, not zeros, for an empty series", () => {
    assert.deepEqual(summarize([]), { count: 0, mean: null, min: null, max: null, p5: null, p50: null, p95: null, p99: null, maxAbs: null, stdev: null });
  });

  it("interpolates percentiles linearly between closest ranks", () => {
    // Ranks h = 4p: p5 → 0.2, p95 → 3.8, p99 → 3.96 on [1, 2, 3, 4, 5].
    const s = summarize([5, 1, 4, 2, 3]);
    assert.equal(s.count, 5);
    assert.equal(s.mean, 3);
    assert.equal(s.min, 1);
    assert.equal(s.max, 5);
    assert.equal(s.p50, 3);
    assert.ok(Math.abs((s.p5 ?? NaN) - 1.2) < 1e-12);
    assert.ok(Math.abs((s.p95 ?? NaN) - 4.8) < 1e-12);
    assert.ok(Math.abs((s.p99 ?? NaN) - 4.96) < 1e-12);
    assert.equal(s.stdev, Math.sqrt(2));
  });

  it("takes maxAbs from whichever end is further from zero", () => {
    assert.equal(summarize([-7, 3]).maxAbs, 7);
    assert.equal(summarize([-2, 9]).maxAbs, 9);
  });

  it("summarizes a single value without inventing spread", () => {
    const s = summarize([-80]);
    assert.deepEqual([s.mean, s.min, s.max, s.p5, s.p99, s.maxAbs, s.stdev], [-80, -80, -80, -80, -80, 80, 0]);
  });

  it("leaves its input unsorted", () => {
    const values = [3, 1, 2];
    summarize(values);
    assert.deepEqual(values, [3, 1, 2]);
  });

  it("rejects non-finite values and says where", () => {
    assert.throws(() => summarize([1, Number.NaN]), /got `NaN` at index 1/);
  });
});

describe("histogram", () => {
  it("puts values in bins starting at multiples of binWidth, lower bound inclusive", () => {
    assert.deepEqual(histogram([-1, 0, 9.99, 10, 25], { binWidth: 10 }), {
      binWidth: 10,
      bins: [
        { from: -10, to: 0, count: 1 },
        { from: 0, to: 10, count: 2 },
        { from: 10, to: 20, count: 1 },
        { from: 20, to: 30, count: 1 },
      ],
    });
  });

  it("lists only non-empty bins so an outlier costs one bin", () => {
    assert.equal(histogram([0, 1e9], { binWidth: 1 }).bins.length, 2);
  });

  it("rejects a bin width that is not positive", () => {
    assert.throws(() => histogram([1], { binWidth: 0 }), /positive number, got `0`/);
  });
});

describe("countValues", () => {
  it("counts each exact value, in ascending order", () => {
    assert.deepEqual(countValues([3000, 6000, 3000, -3000, 3000]), [
      { value: -3000, count: 1 },
      { value: 3000, count: 3 },
      { value: 6000, count: 1 },
    ]);
  });

  it("is empty for an empty series", () => {
    assert.deepEqual(countValues([]), []);
  });
});
