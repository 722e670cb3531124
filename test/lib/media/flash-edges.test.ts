import { strict as assert } from "node:assert";
import { test } from "node:test";
import { findFlashOnsets } from "../../../src/lib/media/index.js";

test("a flash counts once, where it begins; a stream that starts mid-flash does not count it", () => {
  const pictures = [true, true, false, false, true, true, true, false, true, false].map((flash, i) => ({ i, flash }));
  assert.deepEqual(findFlashOnsets(pictures).map((p) => p.i), [4, 8]);
});
