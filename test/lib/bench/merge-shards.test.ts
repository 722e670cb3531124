// `report --merge` (issue 15): shards of one run add into the result one process would have written.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SignedHistogram } from "../../../src/lib/analysis/index.js";
import { mergeShards, pooledFrom, type BenchResult } from "../../../src/lib/bench/index.js";
import { shardSessions } from "../../../src/lib/bench/run-bench.js";
import { evaluateGate, parseGateSpec } from "../../../src/lib/gate/index.js";
import { findSchemaViolation } from "../../../src/lib/results/index.js";
import { shardFromFlags } from "../../../src/lib/cli/shard-flags.js";
import { syntheticBenchResult } from "../report/synthetic-bench-result.js";

// Shard `index` of `count` over `total` sessions, each session's markers at `offsetMs` + a little spread.
function shard(index: number, count: number, total: number, offsetMs = 0): { source: string; result: BenchResult; markers: number[] } {
  const { from, to } = shardSessions(total, { index, count });
  const base = syntheticBenchResult({ sessions: to - from, contentOffsetMs: offsetMs, seed: index + 1 });
  const sessions = base.sessions!.map((s, i) => ({ ...s, index: from + i, joinTimeMs: 200 + from + i }));
  const markers = sessions.flatMap((s) => Array.from({ length: 10 }, (_, k) => offsetMs + s.index * 0.25 + k * 0.1));
  const result: BenchResult = {
    ...base,
    sessions,
    shard: { index, count, sessions: { from, to, total }, startAt: null },
    pooled: pooledFrom(sessions.length, { senderOffsetMs: markers, arrivalOffsetMs: markers.map((m) => m + 3), joinTimeMs: sessions.map((s) => s.joinTimeMs!) }),
  };
  return { source: `shard-${index}/result.json`, result, markers };
}

describe("mergeShards", () => {
  it("adds 4 shards: sessions in global order, counts summed, the pooled histograms equal those of every marker pooled", () => {
    const shards = [3, 1, 0, 2].map((i) => shard(i, 4, 10));
    const merged = mergeShards(shards);
    assert.equal(merged.complete, true, merged.incompleteReason ?? "");
    assert.deepEqual(merged.sessions!.map((s) => s.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(merged.config.sessions!.count, 10);
    assert.equal(merged.aggregate!.measured, 10);
    assert.equal(merged.aggregate!.lostPackets.video, shards.reduce((n, s) => n + s.result.aggregate!.lostPackets.video, 0));
    const all = shards.flatMap((s) => s.markers);
    assert.deepEqual(merged.pooled!.senderOffsetMs.summary, SignedHistogram.ofMs(all).summary());
    assert.equal(merged.pooled!.sessions, 10);
    assert.equal(merged.pooled!.joinTimeMs.summary.count, 10);
    assert.deepEqual(merged.merge!.shards.map((s) => s.index), [0, 1, 2, 3]);
    assert.deepEqual(merged.merge!.missing, []);
    assert.equal(merged.shard, undefined);
    assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(merged))), null);
  });

  it("names a missing shard and one that did not complete, and still adds what the others measured", () => {
    const failed = shard(2, 4, 8);
    failed.result = { ...failed.result, complete: false, incompleteReason: "1 of 2 sessions failed" };
    const merged = mergeShards([shard(0, 4, 8), failed, shard(3, 4, 8)]);
    assert.equal(merged.complete, false);
    assert.equal(merged.incompleteReason, "shard 1 of 4 is missing; shard 2 (`shard-2/result.json`) did not complete: 1 of 2 sessions failed");
    assert.deepEqual(merged.merge!.missing, [1]);
    assert.equal(merged.sessions!.length, 6);
  });

  it("refuses what cannot be one run, in one line", () => {
    assert.throws(() => mergeShards([shard(0, 2, 4), shard(0, 2, 4)]), /^Error: Shard 0\/2 is given twice/);
    assert.throws(() => mergeShards([shard(0, 2, 4), shard(1, 3, 4)]), /is shard 1\/3 of 4 sessions, but .* is one of 2 shards of 4: not the same run/);
    const plain = { source: "run/result.json", result: syntheticBenchResult() };
    assert.throws(() => mergeShards([plain]), /`run\/result.json` is not a shard \(it was not run with --shard i\/N\)/);
    assert.throws(() => mergeShards([]), /Nothing to merge/);
  });

  it("gates the merged run on every shard's markers: one shard 60 ms late fails itu-detect", () => {
    const spec = parseGateSpec({ gate: ["itu-detect"] }, "bench", null)!;
    const clean = mergeShards([0, 1, 2, 3].map((i) => shard(i, 4, 8)));
    assert.equal(evaluateGate(clean, spec).pass, true);
    const late = mergeShards([0, 1, 2, 3].map((i) => shard(i, 4, 8, i === 2 ? 60 : 0)));
    const gate = evaluateGate(late, spec);
    assert.equal(gate.pass, false);
    assert.match(gate.checks.find((c) => c.kind === "preset")!.message, /worst marker \+6\d\.\d ms is .* above \+45 ms \(sender clock, all 8 sessions/);
  });
});

describe("shard flags", () => {
  it("reads --shard, or Kubernetes' Indexed Job variables, and slices sessions contiguously", () => {
    assert.deepEqual(shardFromFlags({ shard: "1/4" }, 8, {}), { shard: { index: 1, count: 4 } });
    assert.deepEqual(shardFromFlags({}, 8, { JOB_COMPLETION_INDEX: "3", JOB_COMPLETIONS: "4" }), { shard: { index: 3, count: 4 } });
    assert.deepEqual(shardFromFlags({}, 8, {}), {});
    assert.deepEqual([0, 1, 2].map((index) => shardSessions(7, { index, count: 3 })), [{ from: 0, to: 2 }, { from: 2, to: 4 }, { from: 4, to: 7 }]);
    const now = Date.parse("2026-12-06T21:00:00Z");
    assert.equal(shardFromFlags({ "start-at": "2026-12-06T21:30:00Z" }, 1, {}, now).startAtUnixMs, now + 1_800_000);
  });

  it("says what is wrong with a shard or a start time in one line", () => {
    assert.throws(() => shardFromFlags({ shard: "4/4" }, 8, {}), /Expected `--shard` to be `i\/N` with 0 ≤ i < N \(shards count from 0\), got `4\/4`/);
    assert.throws(() => shardFromFlags({ shard: "a/b" }, 8, {}), /got `a\/b`/);
    assert.throws(() => shardFromFlags({ shard: "0/4" }, 3, {}), /--sessions 3 cannot be split into 4 shards/);
    assert.throws(() => shardFromFlags({}, 8, { JOB_COMPLETION_INDEX: "1" }), /JOB_COMPLETIONS is not/);
    assert.throws(() => shardFromFlags({ "start-at": "tomorrow" }, 1, {}), /ISO 8601 time .* got `tomorrow`/);
    assert.throws(() => shardFromFlags({ "start-at": "2026-12-09T21:30:00Z" }, 1, {}, Date.parse("2026-12-06T21:00:00Z")), /more than 24 h ahead/);
  });
});
