// test: system
// Not in the media group: the figures it asserts are on the sender clock and marker counts, which a
// busy core does not move.
// `bench --segment` (issue 15): a run measured a segment at a time while it records must read what one
// measured at the end reads — every marker once (audio overlaps each cut, each flash lies in one
// segment), the injected offset in every segment, no drift — and the result must add the segments up.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { runBench } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";

test("--segment 10 over 42 s, 2 sessions, +80 ms: every segment reads +80, every marker counted once, the segments add up", async (t) => {
  const result = await runBench({ durationS: 42, mode: "paced", pattern: {}, injections: { ...noInjections, contentOffsetMs: 80 }, flags: {}, sessions: 2, segmentS: 10 });
  assert.equal(result.complete, true, result.incompleteReason ?? "");
  const { segments, driftMsPerHour } = result.segmented!;
  t.diagnostic(`segments: ${segments.map((s) => `#${s.session}.${s.index} ${s.fromS.toFixed(1)}–${s.toS.toFixed(1)} s ${s.markersPaired} markers ${s.senderOffsetP50Ms}`).join("; ")}; drift ${JSON.stringify(driftMsPerHour)}`);
  for (const session of result.sessions!) {
    const own = segments.filter((s) => s.session === session.index);
    assert.ok(own.length >= 4, `session ${session.index}: ${own.length} segments`);
    for (const s of own) {
      assert.ok(s.markersPaired > 0, `segment ${s.index} paired nothing`);
      assert.ok(Math.abs(s.senderOffsetP50Ms! - 80) <= 0.5, `segment ${s.index}: ${s.senderOffsetP50Ms}`);
    }
    // Segments follow each other: each starts where the one before ended.
    for (let i = 1; i < own.length; i++) assert.ok(own[i]!.fromS >= own[i - 1]!.toS && own[i]!.fromS - own[i - 1]!.toS < 0.1, `gap between segments ${i - 1} and ${i}`);
    const paired = own.reduce((n, s) => n + s.markersPaired, 0);
    assert.equal(session.markers.paired, paired);
    // Every marker the run carried, once: none lost at a cut, none counted twice.
    assert.ok(paired >= result.expectedMarkers - 1 && paired <= result.expectedMarkers, `session ${session.index}: ${paired} paired of ${result.expectedMarkers}`);
    assert.equal(session.senderOffsetMs!.count, paired);
    assert.ok(Math.abs(session.senderOffsetMs!.p50! - 80) <= 0.5);
  }
  assert.equal(result.pooled!.senderOffsetMs.summary.count, result.sessions!.reduce((n, s) => n + s.markers.paired, 0));
  for (const d of driftMsPerHour) assert.ok(d.sender !== null && Math.abs(d.sender) <= 10, `session ${d.session}: sender-clock drift ${d.sender} ms/h, none injected`);
});
