// test: system
// (runs Debian's ffmpeg)
// H.264's packetization variants and the one-line account of a stream that never decodes (issue 17).
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { measureRecording, type ProbeRecording } from "../../../src/lib/probe/index.js";
import { defaultPatternOptions } from "../../../src/lib/media/index.js";
import { recordingFromClip } from "../../helpers/clip-recording.js";
import { ffmpegMissing, makeSyncClip } from "../../helpers/sync-clip.js";

const skip = ffmpegMissing();
const clipSpec = { width: 640, height: 360, fps: 30, flashFrames: 1, beepHz: 1000, beepMs: 60, sampleRate: 48_000, offsetMs: 80, durationS: 3 };

function measure(recording: ProbeRecording) {
  return measureRecording(recording, defaultPatternOptions, { expectations: "stream" });
}

describe("H.264 as servers send it", { skip: skip ?? false }, () => {
  test("packetization-mode 0 (one NAL unit per packet) and SPS/PPS only in the SDP both decode every frame", async () => {
    const clip = makeSyncClip(clipSpec);
    for (const variant of ["mode0", "sdp-parameter-sets"] as const) {
      const m = await measure(recordingFromClip(clip, { codec: "h264", h264: variant }));
      const video = m.media!.video;
      assert.equal(video.failure, null, variant);
      assert.equal(video.pictures, video.frames, `${variant}: decoded ${video.pictures} of ${video.frames}`);
      assert.equal(m.markers.paired, clip.markers, variant);
      for (const marker of m.content.markers) assert.ok(Math.abs(marker.senderOffsetMs! - 80) <= 1, `${variant}: ${marker.senderOffsetMs}`);
    }
  });
});

describe("a stream that never decodes says why", { skip: skip ?? false }, () => {
  test("H.264 without SPS/PPS, in-band or in the SDP", async () => {
    const m = await measure(recordingFromClip(makeSyncClip(clipSpec), { codec: "h264", h264: "no-parameter-sets" }));
    assert.equal(m.media!.video.pictures, 0);
    assert.match(m.media!.video.failure!, /no keyframe arrived whole \(or its SPS\/PPS never came, in-band or in the SDP's sprop-parameter-sets\)/);
    assert.equal(m.markers.source, "none");
    assert.equal(m.content.senderOffsetMs.p50, null, "content offsets are not available, never 0");
  });

  test("a codec avsync does not decode", async () => {
    const recording = recordingFromClip(makeSyncClip(clipSpec), { codec: "vp8" });
    recording.video.codecs = [{ ...recording.video.codecs![0]!, mimeType: "video/H265" }];
    const m = await measure(recording);
    assert.equal(m.media!.video.codec, "H265");
    assert.match(m.media!.video.failure!, /^the server sent H265, which avsync does not decode \(it decodes VP8, H\.264, VP9, AV1\)$/);
    assert.ok(m.continuity.video.frames > 80, "continuity is still measured");
  });

  test("without ffmpeg, H.264 cannot be decoded and the line says how to get it", async () => {
    const recording = recordingFromClip(makeSyncClip(clipSpec), { codec: "h264" });
    process.env.AVSYNC_FFMPEG = "/nonexistent/ffmpeg";
    try {
      const m = await measure(recording);
      assert.match(m.media!.video.failure!, /^H\.264 needs Debian's ffmpeg, which is not installed \(`\/nonexistent\/ffmpeg` was not found\); run scripts\/setup\.sh or apt-get install ffmpeg$/);
    } finally {
      delete process.env.AVSYNC_FFMPEG;
    }
  });
});
