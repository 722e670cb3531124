import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gatePresets, judgeOffset, summarize, type GatePreset } from "../../../src/lib/analysis/index.js";

describe("gatePresets", () => {
  it("hold the published windows (positive = audio leads)", () => {
    const windows = Object.fromEntries(Object.entries(gatePresets).map(([id, w]) => [id, [w.lowMs, w.highMs]]));
    assert.deepEqual(windows, {
      "itu-detect": [-125, 45],
      "itu-accept": [-185, 90],
      "ebu-r37": [-60, 40],
      "atsc-is191": [-45, 15],
    });
  });
});

describe("judgeOffset", () => {
  it("passes offsets inside the window, bounds included", () => {
    assert.deepEqual(judgeOffset(summarize([-125, 0, 45]), "itu-detect"), {
      preset: "itu-detect",
      lowMs: -125,
      highMs: 45,
      pass: true,
      worstMs: 45,
    });
  });

  it("fails on a single marker outside the window even when the mean is fine", () => {
    const offsets = [0, 0, 0, 0, 0, 0, 0, 0, 0, 50];
    assert.equal(summarize(offsets).mean, 5);
    const judgement = judgeOffset(summarize(offsets), "ebu-r37");
    assert.equal(judgement.pass, false);
    assert.equal(judgement.worstMs, 50);
  });

  it("names the end that strays furthest as worst", () => {
    // ATSC −45…+15: −80 is 35 ms out, +20 only 5.
    const judgement = judgeOffset(summarize([-80, 20]), "atsc-is191");
    assert.equal(judgement.pass, false);
    assert.equal(judgement.worstMs, -80);
    // Inside −185…+90 both ends pass; +60 is the nearer to its bound (30 ms vs 35).
    assert.equal(judgeOffset(summarize([-150, 60]), "itu-accept").worstMs, 60);
  });

  it("gives no verdict without offsets", () => {
    assert.deepEqual(judgeOffset(summarize([]), "ebu-r37"), { preset: "ebu-r37", lowMs: -60, highMs: 40, pass: null, worstMs: null });
  });

  it("rejects an unknown preset and lists the known ones", () => {
    assert.throws(() => judgeOffset(summarize([0]), "bt709" as GatePreset), /itu-detect, .*atsc-is191\), got `bt709`/);
  });
});
