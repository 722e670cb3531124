import { strict as assert } from "node:assert";
import { test } from "node:test";
import { defaultFlashRule, findFlashOnsets, gridCells } from "../../../src/lib/media/index.js";

// A picture whose every cell has this luma, or whose first `share` of cells has `bright` and the rest `dark`.
function picture(i: number, luma: number, opts: { share?: number; dark?: number } = {}) {
  const cellLuma = new Float32Array(gridCells).fill(opts.dark ?? luma);
  cellLuma.fill(luma, 0, Math.round((opts.share ?? 1) * gridCells));
  return { i, cellLuma };
}

test("a flash counts once, at its first frame, whether held 1, 2 or 3 frames; a stream that starts or ends mid-flash does not count it", () => {
  const lumas = [235, 235, 30, 30, 235, 30, 30, 235, 235, 30, 40, 235, 235, 235, 40, 30, 235];
  assert.deepEqual(findFlashOnsets(lumas.map((l, i) => picture(i, l))).map((p) => p.i), [4, 7, 11]);
});

test("a bright spell held longer than the rule allows is a scene change, not a flash", () => {
  const lumas = [30, 235, 235, 235, 235, 30, 30];
  assert.deepEqual(findFlashOnsets(lumas.map((l, i) => picture(i, l))), []);
  assert.equal(defaultFlashRule.maxHeldFrames, 3);
});

test("a flash over most of the picture counts; a bright object over a third of it does not", () => {
  const most = [picture(0, 20), picture(1, 230, { share: 0.8, dark: 20 }), picture(2, 20)];
  assert.deepEqual(findFlashOnsets(most).map((p) => p.i), [1]);
  const third = [picture(0, 20), picture(1, 230, { share: 1 / 3, dark: 20 }), picture(2, 20)];
  assert.deepEqual(findFlashOnsets(third), []);
});

test("a small brightening (a fade, a lamp switched on) is not a flash", () => {
  const lumas = [60, 90, 60, 90, 60];
  assert.deepEqual(findFlashOnsets(lumas.map((l, i) => picture(i, l))), []);
});
