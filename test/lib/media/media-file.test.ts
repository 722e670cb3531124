// test: unit
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { commonStepS } from "../../../src/lib/media/media-file.js";

test("a clip's loop steps hold whole video frames and whole 20 ms audio frames, exactly", () => {
  // 30 fps: 3 frames and 5 audio frames in 0.1 s; 25 fps: 1 frame and 2 audio frames in 0.04 s;
  // 24 fps: 12 and 25 in 0.5 s; 60 fps: 6 and 5 in 0.1 s.
  for (const [fps, stepS] of [[30, 0.1], [25, 0.04], [24, 0.5], [60, 0.1], [50, 0.02]] as const) {
    assert.equal(commonStepS(fps, 960, 48_000), stepS, `${fps} fps`);
    assert.ok(Number.isInteger(Math.round(stepS * fps * 1e9) / 1e9) && Number.isInteger(Math.round((stepS / 0.02) * 1e9) / 1e9));
  }
});
