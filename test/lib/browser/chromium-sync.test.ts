import assert from "node:assert/strict";
import { test } from "node:test";
import { analyseChromiumSync, compareBrowser, estimateAt, measureViewerState } from "../../../src/lib/browser/index.js";
import { log, markers, pageState } from "./synthetic-browser.js";

test("Chromium's changes, its own estimates, and one a second from its per-second line", () => {
  const sync = analyseChromiumSync(log, markers, []);
  assert.equal(sync.logged, true);
  assert.deepEqual(sync.changes.map((c) => c.videoDelayMs), [33, 48]);
  assert.deepEqual(sync.estimates.filter((e) => e.logged).map((e) => e.residualMs), [-41, -25, -26]);
  // Before the first change video's delay is unknown (no line of its own yet): no estimate at 2–4 s.
  assert.equal(sync.estimates[0]!.tMs, 5000);
  assert.equal(sync.estimates.length, 27, "every second from 5 to 31 s");
  assert.equal(sync.estimates.find((e) => e.tMs === 8000)?.residualMs, -41, "video at 33 ms from its line at 7 s, audio 74");
  assert.equal(sync.estimates.find((e) => e.tMs === 12_000)?.residualMs, -26, "video at the 48 ms asked for at 9 s");
  assert.deepEqual(sync.steady, { fromMs: 10_000, toMs: null, markers: 21 }, "from 1 s after the last change to the end");
  assert.equal(sync.residualMs, -26, "the median of the estimates in the steady stretch");
});

test("a change to less than video's lowest reported delay leaves video's delay unknown", () => {
  const low = log.map((l) => (l.kind === "change" && l.atMs === 5000 ? { ...l, videoDelayMs: 15 } : l));
  const sync = analyseChromiumSync(low, markers, []);
  assert.equal(sync.estimates.find((e) => e.tMs === 6000), undefined, "15 ms is below the 33 ms floor: video runs at what its buffers need");
  assert.equal(sync.estimates.find((e) => e.tMs === 8000)?.residualMs, -41, "known again after its own line at 7 s");
});

test("a marker is set against the estimate of its own stretch, never across a change", () => {
  const sync = analyseChromiumSync(log, markers, []);
  assert.equal(estimateAt(sync, 7500)?.tMs, 7000);
  assert.equal(estimateAt(sync, 9500), null, "within 1 s after a change the screen still catches up");
  assert.equal(estimateAt(sync, 4500), null, "the change at 5 s lies between");
  assert.equal(estimateAt(sync, 28_800)?.tMs, 29_000);
});

test("a step of the audio delay is a change too", () => {
  const stepped = log.map((l) => (l.kind === "measure" && l.atMs >= 20_000 ? { ...l, audioDelayMs: 60 } : l));
  const sync = analyseChromiumSync(stepped, markers, []);
  assert.deepEqual(sync.steady, { fromMs: 21_000, toMs: null, markers: 10 }, "the audio delay moved between the measures at 19 and 20 s");
  assert.equal(sync.residualMs, -12, "only the estimates after the step count: video 48 − audio 60");
});

test("a late change that has not reached enough markers leaves the stretch before it as the steady one", () => {
  const late = [...log, { kind: "change" as const, atMs: 28_200, videoDelayMs: 64, audioExtraMs: 0 }];
  const sync = analyseChromiumSync(late, markers, []);
  assert.deepEqual(sync.steady, { fromMs: 10_000, toMs: 28_200, markers: 18 });
  assert.equal(sync.residualMs, -26, "the estimates before the change at 28.2 s");
});

test("no change and Chromium's own view inside its dead band: steady from the start; outside it: still moving", () => {
  const quiet = log.filter((l) => l.kind !== "change").map((l) => (l.kind === "estimate" ? { ...l, videoDelayMs: 60 } : l));
  assert.deepEqual(analyseChromiumSync(quiet, markers, []).steady, { fromMs: 1500, toMs: null, markers: 30 });
  const waiting = log.filter((l) => l.kind !== "change").map((l) => (l.kind === "estimate" ? { ...l, videoDelayMs: 21 } : l));
  assert.equal(analyseChromiumSync(waiting, markers, []).steady, null);
});

test("without Chromium's log, getStats changes set the settling point", () => {
  const sync = analyseChromiumSync([], markers, [[11_000, 12_000]]);
  assert.equal(sync.logged, false);
  assert.deepEqual(sync.steady, { fromMs: 13_000, toMs: null, markers: 18 });
  assert.equal(sync.residualMs, null);
});

test("browser alone: rendered against the injected offset plus Chromium's own residual", () => {
  const browser = measureViewerState(pageState(-120), { executable: "", version: "", audioClock: "track-playout" }, 1000, log);
  assert.equal(browser.steadyOffsetMs.p50, -141);
  const c = compareBrowser(browser, { ms: -120, source: "injected" }, null);
  assert.equal(c.renderedMs, -141);
  assert.equal(c.initialMs, -168, "before the first change");
  assert.equal(c.steadyAfterS, 9);
  assert.equal(c.chromiumResidualMs, -26);
  assert.equal(c.agreementMs.length, 23, "every marker with Chromium's view in effect and no change within the log period after it: 6.5–7.5 s and 10.5–30.5 s");
  assert.ok(c.agreementMs.every(([, ms]) => ms === 5 || ms === 4), "the 5 ms Chromium does not model (4 where its 1 ms of relative delay at 18 s applies)");
  assert.equal(c.followedTimestampsPct, null, "no arrival reading to set it against");
  assert.match(c.explanation, /Chromium rendered -141\.0 ms once steady \(from 9\.0 s after connecting to the end\), after 2 changes/);
});

test("a schedule error that Chromium corrects, and a timestamp error that it introduces, read as the share it followed", () => {
  // Schedule −80: timestamps honest (sender clock 0), audio arrived 80 ms late; rendered = 0 + residual (+5).
  const corrected = compareBrowser(measureViewerState(pageState(0), { executable: "", version: "", audioClock: null }, 1000, log), { ms: 0, source: "node-probe" }, -80);
  assert.ok(Math.abs(corrected.followedTimestampsPct! - (80 + 5) / 80 * 100) < 1e-9, String(corrected.followedTimestampsPct));
  assert.match(corrected.explanation, /schedule error .* it corrected 106%/);
  // Timestamp −80: arrival honest (0), the timestamps put audio 80 ms off; rendered = −80 + residual (+5).
  const introduced = compareBrowser(measureViewerState(pageState(-80), { executable: "", version: "", audioClock: null }, 1000, log), { ms: -80, source: "node-probe" }, 0);
  assert.ok(Math.abs(introduced.followedTimestampsPct! - (75 / 80) * 100) < 1e-9, String(introduced.followedTimestampsPct));
  assert.match(introduced.explanation, /timestamp error .* so 94% of it reaches the viewer/);
});

test("a content error is named as one: arrival and timestamps agree, both off", () => {
  const c = compareBrowser(measureViewerState(pageState(-120), { executable: "", version: "", audioClock: null }, 1000, log), { ms: -120, source: "node-probe" }, -119);
  assert.equal(c.followedTimestampsPct, null);
  assert.match(c.explanation, /Both read -120\.0 ms: a content error, in the media itself, which no receiver can correct\./);
});
