// test: system, group media:2
// Issue 17, item 5: the embedded target sends its indexed pattern at real sizes in every codec
// (H.264, VP9 and AV1 encoded once by Debian's ffmpeg, VP8 by libav.js), and the probe reads every
// marker back. Truth: the injected --content-offset-ms 80; tolerance ±1 ms on the sender clock,
// the same as for the default 320x180 VP8 (test/e2e/bench-injections.test.ts): RTP timestamps
// carry no scheduling noise, whatever the codec.
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { benchWith } from "../helpers/bench.js";
import { ffmpegMissing } from "../helpers/sync-clip.js";
import type { VideoCodecName } from "../../src/lib/media/index.js";

const cases: Array<{ codec: VideoCodecName; width: number; height: number }> = [
  { codec: "h264", width: 1920, height: 1080 },
  { codec: "vp9", width: 1920, height: 1080 },
  { codec: "av1", width: 1920, height: 1080 },
  { codec: "vp8", width: 1280, height: 720 },
];

describe("the embedded target at real sizes, every codec", { skip: ffmpegMissing() ?? false }, () => {
  for (const { codec, width, height } of cases) {
    test(`--video-codec ${codec} --video-size ${width}x${height} --content-offset-ms 80`, async () => {
      const result = await benchWith({ durationS: 4, pattern: { videoCodec: codec, width, height }, injections: { contentOffsetMs: 80 } });
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      const probe = result.probe!;
      const sender = probe.content.senderOffsetMs;
      console.log(`${codec} ${width}x${height}: ${probe.media!.video.codec} decoded ${probe.media!.video.pictures}/${probe.media!.video.frames} by ${probe.media!.video.decoder}, paired ${probe.markers.paired}/${result.expectedMarkers}, sender ${sender.min?.toFixed(2)}..${sender.max?.toFixed(2)} ms`);
      assert.equal(probe.media!.video.codec!.toLowerCase(), codec);
      assert.deepEqual(probe.media!.video.sizes, [`${width}x${height}`]);
      // Every session starts at the loop's re-entry key frame; AV1 once lost 15 of 120 frames there
      // (SVT-AV1 ignored the forced key frame), so every frame must decode, not just every marker.
      assert.equal(probe.media!.video.pictures, probe.media!.video.frames, "every frame decoded");
      assert.equal(probe.markers.source, "indexed");
      assert.equal(probe.markers.paired, result.expectedMarkers, "every marker paired");
      for (const m of probe.content.markers) assert.ok(Math.abs(m.senderOffsetMs! - 80) <= 1, `marker ${m.markerIndex}: sender clock ${m.senderOffsetMs}`);
      assert.equal(probe.continuity.video.discontinuities.length, 0);
    });
  }
});
