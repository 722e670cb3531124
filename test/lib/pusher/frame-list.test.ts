import { strict as assert } from "node:assert";
import { test } from "node:test";
import { parseFrameList } from "../../../src/lib/pusher/index.js";

test("parses lists and ranges of frame indexes", () => {
  assert.deepEqual([...parseFrameList("30,31,32", "--x")], [30, 31, 32]);
  assert.deepEqual([...parseFrameList("100-104", "--x")], [100, 101, 102, 103, 104]);
  assert.deepEqual([...parseFrameList(" 1, 5-6 ", "--x")], [1, 5, 6]);
  assert.equal(parseFrameList("", "--x").length, 0);
});

test("quotes a bad list back", () => {
  assert.throws(() => parseFrameList("3,a", "--drop-video-frames"), /Expected `--drop-video-frames` to be frame indexes .* got `3,a`/);
  assert.throws(() => parseFrameList("9-2", "--drop-audio-frames"), /ranges to run low-high, got `9-2`/);
  assert.throws(() => parseFrameList("-3", "--x"), /got `-3`/);
});
