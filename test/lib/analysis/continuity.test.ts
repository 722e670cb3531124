import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { analyzeContinuity, findDominantStepTicks, firstStepShortfallTicks, type ReceivedPacket } from "../../../src/lib/analysis/index.js";
import { audioStream, createRandom, TWO_POW_32, videoStream } from "./synthetic-streams.js";

const VIDEO = { kind: "video", clockRateHz: 90_000, expectedStepTicks: 3000 } as const;
const AUDIO = { kind: "audio", clockRateHz: 48_000, expectedStepTicks: 960 } as const;

function near(actual: number | null, expected: number, tolerance: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
}

describe("analyzeContinuity on clean streams", () => {
  it("reads a clean 30 fps / 90 kHz stream from a random base across a timestamp wrap", () => {
    const random = createRandom(11);
    // 300 frames span 900,000 ticks; start within that of 2^32 so the stream wraps.
    const baseTs = TWO_POW_32 - 1 - Math.floor(random() * 800_000);
    const report = analyzeContinuity(videoStream({ baseTs, baseSeq: Math.floor(random() * 65536) }), VIDEO);
    assert.equal(report.packets, 900);
    assert.equal(report.frames, 300);
    assert.deepEqual(report.stepHistogram, [{ value: 3000, count: 299 }]);
    assert.equal(report.stepsExact, 1);
    assert.equal(report.meanStepTicks, 3000);
    assert.deepEqual(report.discontinuities, []);
    assert.deepEqual(report.missingFrames, []);
    assert.deepEqual(report.backwardJumps, []);
    assert.equal(report.wraps, 1);
    assert.deepEqual(report.sequenceGaps, { lostPackets: 0, ranges: [] });
    assert.equal(report.duplicates, 0);
    assert.equal(report.reordered, 0);
    near(report.arrivalIntervalMs.mean, 1000 / 30, 1e-9, "mean arrival interval");
    near(report.driftPpm, 0, 0.01, "drift");
    assert.equal(report.audioGaps, null);
    assert.equal(report.series.stepTicks.length, 299);
  });

  it("reads a clean 50 pps / 48 kHz stream across both sequence and timestamp wraps", () => {
    const report = analyzeContinuity(audioStream({ baseTs: TWO_POW_32 - 960 * 100, baseSeq: 65_500 }), AUDIO);
    assert.equal(report.frames, 500);
    assert.deepEqual(report.stepHistogram, [{ value: 960, count: 499 }]);
    assert.equal(report.wraps, 1);
    assert.deepEqual(report.sequenceGaps, { lostPackets: 0, ranges: [] });
    assert.equal(report.reordered, 0);
    assert.deepEqual(report.audioGaps, { count: 0, gaps: [] });
    assert.equal(report.jitterMs.final, 0);
  });

  it("gives nulls, not zeros, for an empty stream", () => {
    const report = analyzeContinuity([], AUDIO);
    assert.equal(report.frames, 0);
    assert.equal(report.stepsExact, null);
    assert.equal(report.meanStepTicks, null);
    assert.equal(report.jitterMs.final, null);
    assert.equal(report.arrivalIntervalMs.count, 0);
    assert.equal(report.arrivalIntervalMs.mean, null);
    assert.equal(report.driftPpm, null);
  });

  it("produces a report that survives JSON unchanged", () => {
    const report = analyzeContinuity(videoStream({ frames: 90, skipFrames: new Set([40]) }), VIDEO);
    assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
  });

  it("rejects options that make no sense", () => {
    assert.throws(() => analyzeContinuity([], { ...VIDEO, expectedStepTicks: 0 }), /`expectedStepTicks` to be a positive number, got `0`/);
    assert.throws(() => analyzeContinuity([], { ...VIDEO, toleranceTicks: -1 }), /`toleranceTicks`/);
  });
});

describe("analyzeContinuity on broken timestamps", () => {
  it("lists frames the sender skipped: a 4 × 3000 step leaves frames 30, 31 and 32 missing", () => {
    const report = analyzeContinuity(videoStream({ baseTs: 123_456_789, skipFrames: new Set([30, 31, 32]) }), VIDEO);
    assert.deepEqual(report.missingFrames, [30, 31, 32]);
    assert.deepEqual(report.stepHistogram, [
      { value: 3000, count: 295 },
      { value: 12_000, count: 1 },
    ]);
    assert.deepEqual(report.discontinuities, []);
    // The sender skipped them, so no packet is missing.
    assert.deepEqual(report.sequenceGaps, { lostPackets: 0, ranges: [] });
    assert.equal(report.frames, 297);
  });

  it("reports a step off by more than the tolerance as a discontinuity, and one within it as neither", () => {
    const packets = videoStream({ frames: 100, baseTs: 5000 }).map((p) => {
      const frame = (p.rtpTs - 5000) / 3000;
      // Frame 50 is stamped 100 ticks late (within the default 300), frames from 70 on 500 late.
      const lateTicks = frame === 50 ? 100 : frame >= 70 ? 500 : 0;
      return { ...p, rtpTs: p.rtpTs + lateTicks };
    });
    const report = analyzeContinuity(packets, VIDEO);
    assert.equal(report.discontinuities.length, 1);
    const [jump] = report.discontinuities;
    assert.equal(jump.deltaTicks, 3500);
    near(jump.frameIndex, 70 + 500 / 3000, 1e-9, "frame index");
    near(jump.arrivalMs, 1000 + 70 * (1000 / 30) + 40, 1e-9, "arrival");
    assert.deepEqual(report.missingFrames, []);
    assert.equal(report.stepsExact, 96 / 99);
  });

  it("does not mistake a 1.5-step jump for missing frames", () => {
    const packets = audioStream({ frames: 20 }).map((p) => (p.rtpTs >= 960 * 10 ? { ...p, rtpTs: p.rtpTs + 480 } : p));
    const report = analyzeContinuity(packets, { ...AUDIO, toleranceTicks: 0 });
    assert.deepEqual(report.discontinuities.map((d) => d.deltaTicks), [1440]);
    assert.deepEqual(report.missingFrames, []);
  });

  it("takes a first step short by the sender's trimmed encoder lookahead as expected, and only the first", () => {
    // GStreamer's opusenc: packet 0 at 0, packet k ≥ 1 at k × 960 − 312; here the sender also slips once later.
    const stamps = Array.from({ length: 20 }, (_, k) => (k === 0 ? 0 : k * 960 - 312 + (k >= 15 ? -312 : 0)));
    const packets: ReceivedPacket[] = stamps.map((rtpTs, i) => ({ seq: i, rtpTs, arrivalMs: 100 + i * 20, marker: false, payloadBytes: 80 }));
    assert.equal(firstStepShortfallTicks(packets, 960), 312);
    const report = analyzeContinuity(packets, { ...AUDIO, startTrimTicks: 312 });
    assert.equal(report.startTrimTicks, 312);
    assert.deepEqual(report.discontinuities.map((d) => d.deltaTicks), [648]);
    assert.equal(report.stepsExact, 18 / 19);
    assert.deepEqual(analyzeContinuity(packets, AUDIO).discontinuities.map((d) => d.deltaTicks), [648, 648]);
  });

  it("reports a timestamp that goes back in sending order as a backward jump", () => {
    // The sender restamps frame 8 after frame 9, then carries on: 0 … 9, 8, 9, 10 …
    const stamps = [...Array(10).keys(), 8, 9, 10, 11];
    const packets: ReceivedPacket[] = stamps.map((frame, i) => ({ seq: i, rtpTs: 1000 + frame * 960, arrivalMs: 100 + i * 20, marker: false, payloadBytes: 80 }));
    const report = analyzeContinuity(packets, AUDIO);
    assert.deepEqual(report.backwardJumps, [{ frameIndex: 8, deltaTicks: -960, arrivalMs: 300 }]);
    assert.deepEqual(report.discontinuities, []);
    assert.equal(report.reordered, 0);
  });
});

describe("analyzeContinuity on network faults", () => {
  it("counts lost packets by sequence number, across the 16-bit wrap", () => {
    // Video from seq 65,000: losing 3 packets of frame 200 loses the frame, one of frame 250 only a part.
    const all = videoStream({ baseSeq: 65_000 });
    const lostExtended = new Set([65_000 + 600, 65_000 + 601, 65_000 + 602, 65_000 + 751]);
    const packets = all.filter((_, i) => !lostExtended.has(65_000 + i));
    const report = analyzeContinuity(packets, VIDEO);
    assert.deepEqual(report.sequenceGaps, {
      lostPackets: 4,
      ranges: [
        { fromSeq: 64, toSeq: 66, count: 3 },
        { fromSeq: 215, toSeq: 215, count: 1 },
      ],
    });
    assert.deepEqual(report.missingFrames, [200]);
    assert.equal(report.frames, 299);
  });

  it("counts a duplicated packet once as a duplicate and nowhere else", () => {
    const packets = audioStream();
    const copy = { ...packets[50], arrivalMs: packets[52].arrivalMs + 1 };
    packets.splice(53, 0, copy);
    const report = analyzeContinuity(packets, AUDIO);
    assert.equal(report.packets, 501);
    assert.equal(report.duplicates, 1);
    assert.equal(report.reordered, 0);
    assert.equal(report.frames, 500);
    assert.deepEqual(report.stepHistogram, [{ value: 960, count: 499 }]);
  });

  it("counts a reordered packet without inventing timestamp errors", () => {
    const packets = audioStream();
    const late = { ...packets[100], arrivalMs: packets[101].arrivalMs + 1 };
    packets.splice(100, 2, packets[101], late);
    const report = analyzeContinuity(packets, AUDIO);
    assert.equal(report.reordered, 1);
    assert.deepEqual(report.stepHistogram, [{ value: 960, count: 499 }]);
    assert.deepEqual(report.backwardJumps, []);
    assert.deepEqual(report.discontinuities, []);
    assert.deepEqual(report.sequenceGaps, { lostPackets: 0, ranges: [] });
  });

  it("computes RFC 3550 jitter as worked by hand", () => {
    // Constant 40 ms delay plus 5 ms on every odd packet: |D| = 5 ms from the second packet on.
    // J1 = 5/16 = 0.3125; J2 = 0.3125 + (5 − 0.3125)/16 = 0.60546875; J3 = 0.880126953125.
    const report = analyzeContinuity(audioStream({ frames: 4, frameJitterMs: (i) => (i % 2) * 5 }), AUDIO);
    assert.deepEqual(
      report.jitterMs.series.map(([, jitterMs]) => jitterMs),
      [0.3125, 0.60546875, 0.880126953125],
    );
    assert.equal(report.jitterMs.final, 0.880126953125);
    assert.deepEqual(
      report.jitterMs.series.map(([arrivalMs]) => arrivalMs),
      [1065, 1080, 1105],
    );
  });

  it("converges on the jitter's |D| as the RFC's 1/16 filter says: J(n) = 5 (1 − (15/16)^n)", () => {
    const report = analyzeContinuity(audioStream({ frames: 101, frameJitterMs: (i) => (i % 2) * 5 }), AUDIO);
    near(report.jitterMs.final, 5 * (1 - (15 / 16) ** 100), 1e-9, "jitter");
  });

  it("counts the spread of a frame's packets as jitter, as RFC 3550 does per packet", () => {
    // Constant delay, 3 packets 0.1 ms apart per frame: |D| cycles 0.1, 0.1, 0.2 → J settles near 0.133.
    const report = analyzeContinuity(videoStream({ delayMs: 73 }), VIDEO);
    near(report.jitterMs.final, 0.4 / 3, 0.01, "jitter");
    // One sample per frame: the first frame already has three packets, so a jitter value.
    assert.equal(report.jitterMs.series.length, 300);
  });

  it("reads a sender clock 100 ppm fast as +100 ppm drift through network jitter", () => {
    const random = createRandom(42);
    const jitterMs = Array.from({ length: 1800 }, () => random() * 4);
    const packets = videoStream({ frames: 1800, frameIntervalMs: 1000 / 30 / (1 + 100e-6), frameJitterMs: (i) => jitterMs[i], baseTs: Math.floor(random() * TWO_POW_32) });
    near(analyzeContinuity(packets, VIDEO).driftPpm, 100, 5, "video drift ppm");
    const audio = audioStream({ frames: 3000, frameIntervalMs: 20 / (1 + 100e-6), frameJitterMs: () => random() * 4 });
    near(analyzeContinuity(audio, AUDIO).driftPpm, 100, 5, "audio drift ppm");
  });

  it("gives no drift for under 2 s of data", () => {
    assert.equal(analyzeContinuity(audioStream({ frames: 99 }), AUDIO).driftPpm, null);
  });

  it("reports audio arriving after a stall as a gap a playout buffer must bridge", () => {
    // Packets 100–104 are held by the network and released with 105.
    const packets = audioStream({ frameJitterMs: (i) => (i >= 100 && i <= 104 ? (105 - i) * 20 : 0) });
    const report = analyzeContinuity(packets, AUDIO);
    assert.equal(report.audioGaps?.count, 1);
    assert.deepEqual(report.audioGaps?.gaps, [{ arrivalMs: 1000 + 105 * 20 + 40, intervalMs: 120 }]);
    assert.equal(report.arrivalIntervalMs.min, 0);
    assert.equal(report.arrivalIntervalMs.max, 120);
  });
});

describe("findDominantStepTicks: what an external stream's own timestamps say", () => {
  it("a clean 25 fps stream (LiveTalking's rate) expects 3600 ticks and so reads 0 discontinuities, as 30 fps expects 3000", () => {
    for (const fps of [25, 30]) {
      const packets = videoStream({ stepTicks: 90_000 / fps, frameIntervalMs: 1000 / fps, frames: 250 });
      const step = findDominantStepTicks(packets, 90_000);
      assert.equal(step, 90_000 / fps);
      const report = analyzeContinuity(packets, { ...VIDEO, expectedStepTicks: step!, expectedStepSource: "stream" });
      assert.equal(report.stepsExact, 1);
      assert.deepEqual(report.discontinuities, []);
      assert.equal(report.expectedStepSource, "stream");
    }
  });

  it("lost frames do not move the step: the common step still wins", () => {
    const packets = videoStream({ stepTicks: 3600, frameIntervalMs: 40, skipFrames: new Set([10, 11, 50, 90, 91, 92]) });
    assert.equal(findDominantStepTicks(packets, 90_000), 3600);
  });

  it("timestamps stamped at pull time (no step holds half the steps) are judged against the common frame rate nearest their median, so they still read irregular", () => {
    const random = createRandom(5);
    let ts = 0;
    const packets: ReceivedPacket[] = Array.from({ length: 200 }, (_, i) => {
      ts += 3000 + Math.floor(random() * 400);
      return { seq: i, rtpTs: ts, arrivalMs: i * 35, marker: true, payloadBytes: 900 };
    });
    assert.equal(findDominantStepTicks(packets, 90_000), 3000);
  });

  it("20 ms Opus reads 960, 10 ms reads 480; fewer than two frames read null", () => {
    assert.equal(findDominantStepTicks(audioStream(), 48_000), 960);
    assert.equal(findDominantStepTicks(audioStream({ stepTicks: 480, frameIntervalMs: 10 }), 48_000), 480);
    assert.equal(findDominantStepTicks(audioStream({ frames: 1 }), 48_000), null);
  });
});
