import { strict as assert } from "node:assert";
import { test } from "node:test";
import { exitCodes } from "../../../src/lib/run/exit-codes.js";
import { compareMetrics, evaluateGate, exitCodeOf, parseGateSpec } from "../../../src/lib/gate/index.js";
import { compareBrowser, measureViewerState } from "../../../src/lib/browser/index.js";
import { pooledFrom } from "../../../src/lib/bench/index.js";
import { log, pageState } from "../browser/synthetic-browser.js";
import { syntheticBenchResult } from "../report/synthetic-bench-result.js";

const clean = syntheticBenchResult({ durationS: 20 });
const late = syntheticBenchResult({ durationS: 20, contentOffsetMs: 60 });

test("a lip-sync preset passes a clean run and fails +60 ms, saying by how much", () => {
  const spec = parseGateSpec({ gate: ["itu-detect"] }, "bench", null)!;
  assert.equal(evaluateGate(clean, spec).pass, true);
  const gate = evaluateGate(late, spec);
  assert.equal(gate.pass, false);
  const failed = gate.checks.filter((c) => !c.pass);
  assert.equal(failed.length, 1);
  assert.match(failed[0]!.name, /^itu-detect/);
  assert.match(failed[0]!.message, /worst marker \+60\.\d ms is 15\.\d ms above \+45 ms \(sender clock/);
  assert.equal(evaluateGate(late, parseGateSpec({ gate: ["itu-accept"] }, "bench", null)!).pass, true);
});

test("the presets judge the sender clock, and fall back to arrival when no SR mapping exists", () => {
  const noSender = structuredClone(late);
  noSender.probe!.content.markers.forEach((m) => (m.senderOffsetMs = null));
  noSender.probe!.content.senderOffsetMs = { count: 0, mean: null, min: null, max: null, p5: null, p50: null, p95: null, p99: null, maxAbs: null, stdev: null };
  const check = evaluateGate(noSender, parseGateSpec({ gate: ["ebu-r37"] }, "bench", null)!).checks[1]!;
  assert.equal(check.pass, false);
  assert.match(check.message, /at arrival/);
});

test("a segmented run of one session is judged on every segment's markers, not on its last segment (its probe)", () => {
  // The last segment is clean; an earlier one read +60 ms, which only the pooled histograms still hold.
  const segmented = structuredClone(clean);
  const markers = [...clean.probe!.content.markers.map((m) => m.senderOffsetMs!), 60, 61];
  segmented.pooled = pooledFrom(1, { senderOffsetMs: markers, arrivalOffsetMs: markers, joinTimeMs: [200] });
  segmented.segmented = { segmentS: 10, segments: [], driftMsPerHour: [] };
  const check = evaluateGate(segmented, parseGateSpec({ gate: ["itu-detect"] }, "bench", null)!).checks.find((c) => c.kind === "preset")!;
  assert.equal(check.pass, false);
  assert.match(check.message, /worst marker \+61\.0 ms .*sender clock, every segment,/);
  assert.equal(evaluateGate({ ...segmented, segmented: undefined }, parseGateSpec({ gate: ["itu-detect"] }, "bench", null)!).pass, true);
});

test("thresholds are checked against the metrics; a metric without data fails", () => {
  const spec = parseGateSpec({ threshold: ["offset.content.p95 < 45", "continuity.video.missingFrames == 0", "pacing.eventLoopDelay.p99 < 5"] }, "bench", null)!;
  const gate = evaluateGate(late, spec);
  const byName = Object.fromEntries(gate.checks.map((c) => [c.name, c]));
  assert.equal(byName["offset.content.p95 < 45"]!.pass, false);
  assert.match(byName["offset.content.p95 < 45"]!.message, /= 60\.\d ms, not < 45 ms: off by 15\.\d ms/);
  assert.equal(byName["continuity.video.missingFrames == 0"]!.pass, false);
  assert.equal(byName["pacing.eventLoopDelay.p99 < 5"]!.pass, true);
  const empty = structuredClone(clean);
  empty.pacing = null;
  const noData = evaluateGate(empty, parseGateSpec({ threshold: ["pacing.audio.lateness.p99 < 5"] }, "bench", null)!);
  assert.equal(noData.pass, false);
  assert.match(noData.checks[1]!.message, /no data/);
});

test("a baseline fails a regression past both --max-regression and the noise floor, not noise", () => {
  const rows = compareMetrics(clean, late, 10);
  assert.equal(rows.find((r) => r.name === "offset.content.maxAbs")!.status, "regressed");
  assert.equal(rows.find((r) => r.name === "offset.transport.p50")!.status, "same");
  assert.equal(compareMetrics(late, clean, 10).find((r) => r.name === "offset.content.maxAbs")!.status, "better");
  const spec = parseGateSpec({ maxRegression: "10%" }, "bench", { label: "base.json", result: clean })!;
  const gate = evaluateGate(late, spec);
  assert.equal(gate.pass, false);
  assert.ok(gate.checks.some((c) => c.kind === "baseline" && !c.pass && /offset\.content\.maxAbs/.test(c.message)));
  assert.equal(evaluateGate(syntheticBenchResult({ durationS: 20, seed: 99 }), spec).pass, true, "another clean run is within the noise floor");
  assert.throws(() => parseGateSpec({ maxRegression: "ten" }, "bench", null), /`--max-regression` to be a percentage such as `10%`, got `ten`/);
});

test("presets are refused for storms, and the exit code puts a failed run before the gate", () => {
  assert.throws(() => parseGateSpec({ gate: ["itu-detect"] }, "tw-storm", null), /tw-storm results do not have/);
  assert.throws(() => parseGateSpec({ gate: ["itu-fast"] }, "bench", null), /got `itu-fast`/);
  const failing = { pass: false, checks: [] };
  assert.equal(exitCodeOf({ complete: true, interrupted: false }, null), exitCodes.ok);
  assert.equal(exitCodeOf({ complete: true, interrupted: false }, failing), exitCodes.gateFailed);
  assert.equal(exitCodeOf({ complete: false, interrupted: false }, failing), exitCodes.runFailed);
  assert.equal(exitCodeOf({ complete: false, interrupted: true }, failing), exitCodes.interrupted);
});

test("browser thresholds read what the viewer got; without the browser probe they have no data and fail", () => {
  const spec = parseGateSpec({ threshold: ["browser.offset.steady.p50 > -150", "browser.residual >= -30", "browser.markers.paired == 100%"] }, "bench", null)!;
  const watched = structuredClone(clean);
  watched.browser = measureViewerState(pageState(-120), { executable: "", version: "", audioClock: "track-playout" }, 1000, log);
  watched.browser.comparison = compareBrowser(watched.browser, { ms: -120, source: "injected" }, null);
  watched.expectedMarkers = watched.browser.markers.paired;
  const byName = Object.fromEntries(evaluateGate(watched, spec).checks.map((c) => [c.name, c]));
  assert.equal(byName["browser.offset.steady.p50 > -150"]!.pass, true, byName["browser.offset.steady.p50 > -150"]!.message);
  assert.match(byName["browser.offset.steady.p50 > -150"]!.message, /= -141 ms/);
  assert.equal(byName["browser.residual >= -30"]!.pass, true);
  assert.equal(byName["browser.markers.paired == 100%"]!.pass, true);
  const without = evaluateGate(clean, spec);
  assert.ok(without.checks.filter((c) => c.kind === "threshold").every((c) => !c.pass && /has no data/.test(c.message)), "no browser data, no pass");
});
