// test: system, group media
// What avsync expects of an external stream it knows nothing about: the frame step read from the
// stream itself (no --fps), and RTP clock drift against arrival, from an aiortc server
// (fixtures/aiortc/sync_server.py) that sends a clean pattern or runs its clocks fast. aiortc encodes
// the small pattern at 320x180 as in aiortc-offsets, so one media slot is enough (the ffmpeg-clip
// corpus at 720p and 1080p is test/interop/stream-corpus.test.ts).
import { strict as assert } from "node:assert";
import { after, describe, test } from "node:test";
import { runBench } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { parseTargetUrl } from "../../src/lib/signaling/index.js";
import { aiortcMissing, startAiortcServer, type AiortcServer } from "../helpers/aiortc-server.js";

describe("expectations from the stream, and drift against a known clock", { skip: aiortcMissing() ?? false }, () => {
  const servers: AiortcServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  for (const fps of [25, 30]) {
    test(`a clean ${fps} fps external stream without --fps: 0 discontinuities, no timestamp anomaly`, async () => {
      const server = await startAiortcServer(["--fps", String(fps)]);
      servers.push(server);
      const result = await runBench({ durationS: 4, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(`http://${server.base}/offer`, "target") });
      await server.stop();
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      const { video, audio } = result.probe!.continuity;
      console.log(`${fps} fps: expected ${video.expectedStepTicks} ticks (${video.expectedStepSource}), ${video.stepsExact! * 100}% exact, discontinuities ${video.discontinuities.length}`);
      assert.equal(video.expectedStepTicks, 90_000 / fps);
      assert.equal(video.expectedStepSource, "stream");
      assert.equal(video.discontinuities.length, 0);
      assert.equal(audio.discontinuities.length, 0);
      assert.deepEqual(result.probe!.anomalies!.filter((a) => a.name === "irregular-timestamps"), []);
    });
  }

  // A sender whose RTP clocks run 500 ppm fast (fixtures/aiortc/sync_server.py --clock-ppm): the
  // drift figures against arrival (continuity.*.driftPpm) must read it within ±50 ppm. The least
  // delay of each half second wanders ±0.3 ms with a neighbour on one core, so 12 s runs read
  // 454–549 ppm with one core busy (CI 54: 554 and 573); the error of a slope falls as the run's
  // length to the power 1.5, and four 30 s runs beside a busy core read 486–501. The figures against
  // the Sender Reports are printed, not held to it: aiortc stamps SRs when it sends them,
  // milliseconds late at random, and a fit through 12 s of them read 463 (video) and 635 ppm (audio).
  // (A lower-envelope fit, Moon et al.'s, did worse here: 395 ppm in one run — the floor is soft.)
  test("RTP clocks 500 ppm fast read +500 ± 50 ppm against arrival", async () => {
    const server = await startAiortcServer(["--clock-ppm", "500"]);
    servers.push(server);
    const result = await runBench({ durationS: 30, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(`http://${server.base}/offer`, "target") });
    await server.stop();
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    const p = result.probe!;
    const figures = { videoArrival: p.continuity.video.driftPpm, audioArrival: p.continuity.audio.driftPpm };
    console.log(`500 ppm fast sender reads ${JSON.stringify(figures)}; against its SRs video ${p.senderReports.video.ntpDriftPpm} audio ${p.senderReports.audio.ntpDriftPpm}`);
    for (const [what, ppm] of Object.entries(figures)) assert.ok(ppm !== null && Math.abs(ppm - 500) <= 50, `${what} drift ${ppm} ppm`);
  });
});
