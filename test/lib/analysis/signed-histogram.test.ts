import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SignedHistogram, summarize } from "../../../src/lib/analysis/index.js";
import { createRandom } from "./synthetic-streams.js";

// Offsets as shards measure them: mostly near a centre, some far, both signs, sub-µs fractions.
function offsets(random: () => number, n: number, centreMs: number): number[] {
  return Array.from({ length: n }, () => centreMs + (random() - 0.5) * 40 + (random() < 0.05 ? (random() - 0.5) * 900 : 0));
}

describe("SignedHistogram", () => {
  it("merged shards equal the histogram of the pooled raw values, exactly, through result.json's encoding", () => {
    const random = createRandom(15);
    const shards = [offsets(random, 400, -12), offsets(random, 250, 3.3), offsets(random, 1, 0), offsets(random, 900, 60), []];
    const merged = SignedHistogram.empty();
    for (const values of shards) merged.add(SignedHistogram.decode(JSON.parse(JSON.stringify(SignedHistogram.ofMs(values).encode()))));
    const pooled = SignedHistogram.ofMs(shards.flat());
    assert.deepEqual(merged.summary(), pooled.summary());
    // Every rank reads the same value: the same counts in the same buckets.
    const n = pooled.count;
    assert.equal(merged.count, n);
    for (let rank = 1; rank <= n; rank++) assert.equal(merged.percentileMs((100 * rank) / n), pooled.percentileMs((100 * rank) / n), `rank ${rank} of ${n}`);
  });

  it("reads what summarize() reads from the raw values, each figure to 0.01 % of its size (+2 µs)", () => {
    const random = createRandom(16);
    const values = offsets(random, 5000, -4);
    const exact = summarize(values);
    const fromCounts = SignedHistogram.ofMs(values).summary();
    assert.equal(fromCounts.count, exact.count);
    for (const key of ["min", "max", "p5", "p50", "p95", "p99", "maxAbs", "mean", "stdev"] as const) {
      // Nearest rank against summarize()'s interpolation: one neighbouring value either way, at most.
      const sorted = [...values].sort((a, b) => a - b);
      const slack = key.startsWith("p") ? Math.max(...sorted.slice(1).map((v, i) => (Math.abs(v - exact[key]!) < 2 ? v - sorted[i]! : 0))) : 0;
      assert.ok(Math.abs(fromCounts[key]! - exact[key]!) <= Math.abs(exact[key]!) * 0.0001 + 0.002 + slack, `${key}: ${fromCounts[key]} from counts, ${exact[key]} from the values`);
    }
  });

  it("keeps the sign: an all-negative pool, zero, and an empty one", () => {
    assert.ok(Math.abs(SignedHistogram.ofMs([-80, -80, -80]).summary().p50! + 80) <= 0.008);
    assert.equal(SignedHistogram.ofMs([0]).summary().max, 0);
    assert.equal(SignedHistogram.empty().summary().p50, null);
    assert.equal(SignedHistogram.decode(SignedHistogram.empty().encode()).count, 0);
    assert.throws(() => SignedHistogram.empty().recordMs(Number.NaN), /cannot record NaN/);
  });
});
