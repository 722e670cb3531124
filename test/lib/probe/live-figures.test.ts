// The live figures `bench --metrics-port` serves, from a synthetic recording with a known truth: video
// that reaches the probe 40 ms later than audio of the same capture time (then drifting 10 ms over 100 s),
// three video packets lost, Sender Reports once a second from both streams.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LiveSessionTracker } from "../../../src/lib/probe/index.js";
import type { ProbeRecording, RecordedPacket, RecordedSenderReport } from "../../../src/lib/probe/recording.js";

const ntpBaseMs = 1.7e12;

function recordingOver(seconds: number, opts: { lostVideoSeqs?: number[] } = {}): { recording: ProbeRecording; grow: (untilMs: number) => void } {
  const audio: RecordedPacket[] = [];
  const video: RecordedPacket[] = [];
  const audioSrs: RecordedSenderReport[] = [];
  const videoSrs: RecordedSenderReport[] = [];
  // Capture time c (ms): audio arrives c + 5, video c + 45 + (c / 100 s) × 10 ms.
  const videoDelay = (c: number): number => 45 + (c / 100_000) * 10;
  const events: Array<{ at: number; push: () => void }> = [];
  for (let c = 0; c < seconds * 1000; c += 20) {
    const seq = c / 20;
    events.push({ at: c + 5, push: () => audio.push({ seq: seq & 0xffff, rtpTs: (1000 + c * 48) >>> 0, marker: false, arrivalMs: c + 5, payload: Buffer.alloc(0) }) });
  }
  for (let f = 0; f * (1000 / 30) < seconds * 1000; f++) {
    const c = f * (1000 / 30);
    for (let k = 0; k < 2; k++) {
      const seq = 2 * f + k;
      if (opts.lostVideoSeqs?.includes(seq)) continue;
      const at = c + videoDelay(c) + k;
      events.push({ at, push: () => video.push({ seq, rtpTs: Math.round(5000 + c * 90) >>> 0, marker: k === 1, arrivalMs: at, payload: Buffer.alloc(0) }) });
    }
  }
  for (let c = 0; c < seconds * 1000; c += 1000) {
    events.push({ at: c + 5, push: () => audioSrs.push({ ntpMs: ntpBaseMs + c, rtpTs: (1000 + c * 48) >>> 0, arrivalMs: c + 5, packetCount: 0 }) });
    events.push({ at: c + 5, push: () => videoSrs.push({ ntpMs: ntpBaseMs + c, rtpTs: Math.round(5000 + c * 90) >>> 0, arrivalMs: c + 5, packetCount: 0 }) });
  }
  events.sort((a, b) => a.at - b.at);
  const recording: ProbeRecording = {
    startedAtMs: 0,
    connectedAtMs: 0,
    endedAtMs: null,
    audio: { ssrc: 1, packets: audio, senderReports: audioSrs },
    video: { ssrc: 2, packets: video, senderReports: videoSrs },
  };
  let next = 0;
  return { recording, grow: (untilMs) => { while (next < events.length && events[next]!.at <= untilMs) events[next++]!.push(); } };
}

describe("LiveSessionTracker", () => {
  it("reads the transport offset of the last 10 s, the loss so far and the drift, as the recording grows", () => {
    const { recording, grow } = recordingOver(200, { lostVideoSeqs: [100, 101, 3001] });
    const tracker = new LiveSessionTracker(recording);
    let figures;
    for (let t = 1000; t <= 200_000; t += 5000) {
      grow(t);
      figures = tracker.read(t);
      if (t === 11_000) {
        // A frame is complete with its second packet, 1 ms after its first: 46 ms after capture against
        // the audio's 5, plus the drift at the window's median capture time (≈ 6 s: 0.6 ms).
        assert.ok(Math.abs(figures.transportOffsetMs! - 41.6) <= 0.1, `early: ${figures.transportOffsetMs}`);
        assert.equal(figures.transportDriftMsPerHour, null, "no drift before a minute of readings");
        assert.deepEqual(figures.lost, { audio: 0, video: 2 });
      }
    }
    // The last read, at 196 s, over the 10 s before it (capture ≈ 185.9–195.9 s): 41 + 19.09 ms.
    assert.ok(Math.abs(figures!.transportOffsetMs! - 60.09) <= 0.1, `late: ${figures!.transportOffsetMs}`);
    assert.ok(Math.abs(figures!.transportDriftMsPerHour! - 360) <= 10, `drift ${figures!.transportDriftMsPerHour} ms/h, truth 360`);
    assert.deepEqual(figures!.lost, { audio: 0, video: 3 });
    assert.equal(figures!.packets.audio, 9800, "every 20 ms audio packet up to 196 s");
    assert.equal(figures!.connected, true);
  });

  it("says nothing of the offset before both streams' Sender Reports", () => {
    const { recording, grow } = recordingOver(5);
    recording.audio.senderReports = [];
    grow(5000);
    const figures = new LiveSessionTracker(recording).read(5000);
    assert.equal(figures.transportOffsetMs, null);
    assert.ok(figures.packets.video > 0);
  });
});
