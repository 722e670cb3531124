// test: system, group media
// `bench --segment` against an independent sender. avsync's own pusher sends a keyframe every second;
// aiortc's VP8 encoder one every 3000 frames (100 s) unless asked, so a cut must wait for a keyframe
// the probe asks for (PLI), or the next segment starts mid-picture and decodes nothing. Every segment
// must read the server's offset, and the segments together every marker once.
import { strict as assert } from "node:assert";
import { after, before, test } from "node:test";
import { runBench } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { parseTargetUrl } from "../../src/lib/signaling/index.js";
import { aiortcMissing, startAiortcServer, type AiortcServer } from "../helpers/aiortc-server.js";

const skip = aiortcMissing();
const offsetMs = -100;
// The aiortc tolerance (docs/targets.md): median error of the SR-mapped content offset.
const toleranceMs = 3;
let server: AiortcServer | undefined;

before(async () => {
  if (!skip) server = await startAiortcServer(["--offset-ms", String(offsetMs)]);
});
after(async () => {
  await server?.stop();
});

test("--segment 8 over 34 s against aiortc (keyframes only when asked): every segment decodes and reads −100 ms", { skip: skip ?? false }, async (t) => {
  const durationS = 34;
  const result = await runBench({ durationS, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(`whep+http://${server!.base}/whep`, "target"), segmentS: 8 });
  assert.equal(result.complete, true, result.incompleteReason ?? "");
  const { segments } = result.segmented!;
  t.diagnostic(`segments: ${segments.map((s) => `${s.index} ${s.fromS.toFixed(1)}–${s.toS.toFixed(1)} s ${s.markersPaired} markers ${s.senderOffsetP50Ms}`).join("; ")}`);
  assert.ok(segments.length >= 3, `${segments.length} segments`);
  for (const s of segments) {
    assert.ok(s.markersPaired > 0, `segment ${s.index} (${s.fromS}–${s.toS} s) paired nothing`);
    assert.ok(Math.abs(s.senderOffsetP50Ms! - offsetMs) <= toleranceMs, `segment ${s.index}: ${s.senderOffsetP50Ms} ms vs ${offsetMs}`);
  }
  for (let i = 1; i < segments.length; i++) assert.ok(segments[i]!.fromS - segments[i - 1]!.toS < 0.1, `gap between segments ${i - 1} and ${i}`);
  const paired = segments.reduce((n, s) => n + s.markersPaired, 0);
  // The session's figures are its segments' added up (`probe` is its last segment).
  assert.equal(result.sessions![0]!.markers.paired, paired);
  assert.ok(Math.abs(result.pooled!.senderOffsetMs.summary.p50! - offsetMs) <= toleranceMs, `pooled ${result.pooled!.senderOffsetMs.summary.p50}`);
  // One marker a second from the server's start: all but the run's first and last second's, once each.
  assert.ok(paired >= durationS - 3 && paired <= durationS + 1, `${paired} markers paired in ${durationS} s`);
});
