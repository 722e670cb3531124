import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeTestPattern, VideoMarkerReader } from "../../../src/lib/media/index.js";
import { useFreshPatternCache } from "./pattern-env.js";

useFreshPatternCache();

describe("VideoMarkerReader", () => {
  for (const contentOffsetMs of [0, 80, -120]) {
    it(`reads the frame code of every frame and the flash on exactly every 30th (contentOffsetMs ${contentOffsetMs})`, async () => {
      const pattern = await encodeTestPattern({ contentOffsetMs });
      const reader = new VideoMarkerReader();
      try {
        for (const [i, frame] of pattern.video.entries()) {
          const reading = await reader.decode(frame.data);
          assert.ok(reading, `frame ${i} produced no picture`);
          assert.equal(reading.frameCode, i, `frame code of frame ${i}`);
          assert.equal(reading.flash, i % 30 === 0, `flash state of frame ${i} (luma ${reading.lumaMean})`);
          assert.ok(reading.flash ? reading.lumaMean > 220 : reading.lumaMean < 30, `luma of frame ${i} is ${reading.lumaMean}`);
        }
      } finally {
        await reader.close();
      }
    });
  }

  it("gives no picture before the first keyframe, then reads normally from it", async () => {
    const pattern = await encodeTestPattern({});
    const reader = new VideoMarkerReader();
    try {
      assert.equal(await reader.decode(pattern.video[5]!.data), null);
      const reading = await reader.decode(pattern.video[30]!.data);
      assert.deepEqual({ frameCode: reading?.frameCode, flash: reading?.flash }, { frameCode: 30, flash: true });
      assert.equal((await reader.decode(pattern.video[31]!.data))?.frameCode, 31);
    } finally {
      await reader.close();
    }
  });

  it("reads the loop seamlessly when the sender wraps from the last frame to frame 0", async () => {
    const pattern = await encodeTestPattern({ allKeyframes: true, loopMarkers: 2 });
    const reader = new VideoMarkerReader();
    try {
      const order = [58, 59, 0, 1, 1, 3];
      const codes = [];
      for (const i of order) codes.push((await reader.decode(pattern.video[i]!.data))?.frameCode);
      assert.deepEqual(codes, order);
    } finally {
      await reader.close();
    }
  });
});
