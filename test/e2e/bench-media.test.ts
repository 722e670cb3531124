// test: system, group media
// Issue 17, item 5: `--media <file>` pushes the user's own clip, decoded and re-encoded once, and
// it is measured like any stream. The clip is an ffmpeg-made sync clip with a known +80 ms offset;
// avsync's pusher stamps its own SRs from the schedule, so the sender-clock offset must read it
// within ±1 ms (the same tolerance as for the pattern, test/e2e/bench-injections.test.ts).
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { benchWith } from "../helpers/bench.js";
import { ffmpegMissing, makeSyncClip } from "../helpers/sync-clip.js";

describe("--media: the user's clip", { skip: ffmpegMissing() ?? false }, () => {
  test("an ffmpeg sync clip (QuickTime, H.264 + PCM) pushed as H.264 at 640x360 reads its own +80 ms", async () => {
    const clip = makeSyncClip({ width: 640, height: 360, fps: 25, flashFrames: 2, beepHz: 1000, beepMs: 60, sampleRate: 44_100, offsetMs: 80, durationS: 6 });
    const result = await benchWith({ durationS: 5, pattern: { mediaFile: clip.path, leadInS: 0, fps: 25, width: 640, height: 360, videoCodec: "h264" } });
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    const probe = result.probe!;
    const sender = probe.content.senderOffsetMs;
    console.log(`--media: ${probe.media!.video.codec} ${probe.media!.video.sizes.join()}, paired ${probe.markers.paired} of ${result.expectedMarkers} estimated, sender ${sender.min?.toFixed(2)}..${sender.max?.toFixed(2)} ms`);
    assert.equal(probe.markers.source, "flash-beep");
    assert.ok(probe.markers.paired >= 4, `paired ${probe.markers.paired}`);
    for (const m of probe.content.markers) assert.ok(Math.abs(m.senderOffsetMs! - 80) <= 1, `marker ${m.markerIndex}: ${m.senderOffsetMs}`);
    assert.equal(probe.continuity.video.discontinuities.length, 0);
  });

  test("regression: a clip at 30 fps (the default) is pushed, not refused as shorter than 1 s", async () => {
    // Rounded to microseconds, 1/30 s made the loop's step 666.66 s and every 30-fps clip was refused.
    const clip = makeSyncClip({ width: 320, height: 180, fps: 30, flashFrames: 1, beepHz: 1000, beepMs: 60, sampleRate: 48_000, offsetMs: 80, durationS: 5 });
    const result = await benchWith({ durationS: 4, pattern: { mediaFile: clip.path, leadInS: 0, fps: 30, width: 320, height: 180 } });
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    const probe = result.probe!;
    assert.ok(probe.markers.paired >= 3, `paired ${probe.markers.paired}`);
    for (const m of probe.content.markers) assert.ok(Math.abs(m.senderOffsetMs! - 80) <= 1, `marker ${m.markerIndex}: ${m.senderOffsetMs}`);
  });
});
