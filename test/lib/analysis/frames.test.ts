import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { collectFrames, SenderClock, type ReceivedPacket } from "../../../src/lib/analysis/index.js";
import { TWO_POW_32, videoStream } from "./synthetic-streams.js";

const packet = (seq: number, rtpTs: number, arrivalMs: number, payloadBytes = 100): ReceivedPacket => ({ seq, rtpTs, arrivalMs, marker: false, payloadBytes });

describe("collectFrames", () => {
  it("groups packets sharing a timestamp, keeping the earliest arrival and adding up the bytes", () => {
    const frames = collectFrames([packet(10, 3000, 5.0), packet(11, 3000, 5.1, 50), packet(12, 6000, 38)]);
    assert.deepEqual(frames, [
      { rtpTs: 3000, arrivalMs: 5.0, firstSeq: 10, packets: 2, payloadBytes: 150 },
      { rtpTs: 6000, arrivalMs: 38, firstSeq: 12, packets: 1, payloadBytes: 100 },
    ]);
  });

  it("keeps a frame whole when its packets arrive out of order or twice", () => {
    // Frame 6000's first packet arrives after frame 9000 has started; packet 11 comes twice.
    const frames = collectFrames([packet(10, 3000, 1), packet(11, 3000, 2), packet(13, 6000, 3), packet(14, 9000, 4), packet(12, 6000, 5), packet(11, 3000, 6)]);
    assert.deepEqual(
      frames.map((f) => [f.rtpTs, f.packets, f.arrivalMs]),
      [
        [3000, 2, 1],
        [6000, 2, 3],
        [9000, 1, 4],
      ],
    );
  });

  it("puts timestamps in a SenderClock's space when given its unwrap", () => {
    const clock = new SenderClock(90_000);
    clock.addSenderReport({ ntpMs: 0, rtpTs: TWO_POW_32 - 3000, arrivalMs: 0 });
    const frames = collectFrames(videoStream({ frames: 3, baseTs: TWO_POW_32 - 3000 }), clock.unwrap);
    assert.deepEqual(frames.map((f) => f.rtpTs), [TWO_POW_32 - 3000, TWO_POW_32, TWO_POW_32 + 3000]);
    assert.deepEqual(frames.map((f) => clock.toSenderMs(f.rtpTs)), [0, 1000 / 30, 2000 / 30]);
  });
});
