// When a session's media counts as dead, judged from the recording's own arrival times.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { findDeadMedia, type ProbeRecording } from "../../../src/lib/probe/index.js";

// A recording connected at t = 1000 ms whose streams carried packets every 20 ms up to the given times (null: none at all).
function recording(audioUntilMs: number | null, videoUntilMs: number | null): ProbeRecording {
  const packets = (untilMs: number | null) =>
    untilMs === null ? [] : Array.from({ length: Math.floor((untilMs - 1100) / 20) + 1 }, (_, i) => ({ seq: i, rtpTs: i * 960, marker: false, arrivalMs: 1100 + i * 20, payload: Buffer.alloc(0) }));
  return {
    startedAtMs: 0,
    connectedAtMs: 1000,
    endedAtMs: null,
    audio: { ssrc: 1, packets: packets(audioUntilMs), senderReports: [] },
    video: { ssrc: 2, packets: packets(videoUntilMs), senderReports: [] },
  };
}

test("a living session is not dead, however long it ran", () => {
  assert.equal(findDeadMedia(recording(60_000, 60_000), 60_010, 3000), null);
});

test("both streams stopping is one death, named with when it happened", () => {
  assert.equal(findDeadMedia(recording(5100, 5100), 8100, 3000), "media stopped 4.1 s after connecting: no RTP for 3.0 s");
  assert.equal(findDeadMedia(recording(5100, 5100), 8000, 3000), null, "not before the timeout has passed");
});

test("one stream stopping kills the session too", () => {
  assert.equal(findDeadMedia(recording(9000, 5100), 9010, 3000), "video stopped 4.1 s after connecting: no RTP for 3.0 s");
});

test("no media within the timeout of connecting; at the end of a shorter run, none at all", () => {
  assert.equal(findDeadMedia(recording(null, null), 3999, 3000), null);
  assert.equal(findDeadMedia(recording(null, null), 4000, 3000), "no media received within 3.0 s of connecting");
  assert.equal(findDeadMedia(recording(null, null), 2000, 3000, true), "no media received in the 1.0 s recorded");
  assert.equal(findDeadMedia(recording(3900, null), 4000, 3000), "no video received within 3.0 s of connecting (audio arrived)");
});

test("a session that never connected is not judged here", () => {
  assert.equal(findDeadMedia({ ...recording(null, null), connectedAtMs: null }, 99_000, 3000, true), null);
});
