// RFC 7741 payload descriptors as libvpx-based senders write them, and frames with a packet missing.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { assembleVideoFrames, type RecordedPacket } from "../../../src/lib/probe/index.js";

// A VP8 keyframe's first bytes (P bit 0) and some payload.
const keyframe = Buffer.from([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...Array.from({ length: 30 }, (_, i) => i)]);

function packet(seq: number, descriptor: number[], payload: Buffer, marker: boolean): RecordedPacket {
  return { seq, rtpTs: 9000, marker, arrivalMs: seq, payload: Buffer.concat([Buffer.from(descriptor), payload]) };
}

const descriptors: Record<string, { first: number[]; next: number[] }> = {
  "no extension": { first: [0x10], next: [0x00] },
  "7-bit picture id": { first: [0x90, 0x80, 0x05], next: [0x80, 0x80, 0x05] },
  "15-bit picture id, TL0PICIDX, TID and KEYIDX": { first: [0x90, 0xf0, 0x81, 0x23, 0x07, 0x40], next: [0x80, 0xf0, 0x81, 0x23, 0x07, 0x40] },
  "TID only (T without K)": { first: [0x90, 0xa0, 0x81, 0x23, 0x40], next: [0x80, 0xa0, 0x81, 0x23, 0x40] },
  "later partitions with their own PID": { first: [0x90, 0x80, 0x05], next: [0x91, 0x80, 0x05] },
};

for (const [name, { first, next }] of Object.entries(descriptors)) {
  test(`a VP8 frame over three packets comes back byte for byte: ${name}`, () => {
    const parts = [keyframe.subarray(0, 12), keyframe.subarray(12, 24), keyframe.subarray(24)];
    const packets = [packet(7, first, parts[0]!, false), packet(8, next, parts[1]!, false), packet(9, next, parts[2]!, true)];
    const [frame] = assembleVideoFrames(packets.reverse(), "vp8");
    assert.equal(frame!.complete, true);
    assert.equal(frame!.keyframe, true);
    assert.deepEqual(frame!.data, keyframe);
  });
}

test("a frame whose first or middle packet is lost is not complete", () => {
  const { first, next } = descriptors["7-bit picture id"]!;
  const middleLost = [packet(1, first, keyframe.subarray(0, 10), false), packet(3, next, keyframe.subarray(20), true)];
  const firstLost = [packet(2, next, keyframe.subarray(10, 20), false), packet(3, next, keyframe.subarray(20), true)];
  assert.equal(assembleVideoFrames(middleLost, "vp8")[0]!.complete, false);
  assert.equal(assembleVideoFrames(firstLost, "vp8")[0]!.complete, false);
});
