import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createRtpUnwrapper, createSequenceUnwrapper } from "../../../src/lib/analysis/index.js";
import { createRandom, TWO_POW_32 } from "./synthetic-streams.js";

describe("createRtpUnwrapper", () => {
  it("starts at the first value and follows forward steps", () => {
    const unwrap = createRtpUnwrapper();
    assert.deepEqual([123, 3123, 6123].map(unwrap), [123, 3123, 6123]);
  });

  it("keeps counting past 2^32", () => {
    const unwrap = createRtpUnwrapper();
    assert.deepEqual([TWO_POW_32 - 2000, TWO_POW_32 - 1000, 0, 1000].map(unwrap), [TWO_POW_32 - 2000, TWO_POW_32 - 1000, TWO_POW_32, TWO_POW_32 + 1000]);
  });

  it("reads a reordered value across the wrap as a step back, not a second wrap", () => {
    const unwrap = createRtpUnwrapper();
    assert.deepEqual([TWO_POW_32 - 1000, 500, TWO_POW_32 - 500, 1500].map(unwrap), [TWO_POW_32 - 1000, TWO_POW_32 + 500, TWO_POW_32 - 500, TWO_POW_32 + 1500]);
  });

  it("reads a backward step within half the range as negative", () => {
    const unwrap = createRtpUnwrapper();
    assert.deepEqual([100_000, 50_000, 2 ** 31 + 40_000].map(unwrap), [100_000, 50_000, 2 ** 31 + 40_000]);
  });

  it("unwraps a long 90 kHz stream from a random base through several wraps", () => {
    const random = createRandom(7);
    const base = Math.floor(random() * TWO_POW_32);
    const unwrap = createRtpUnwrapper();
    // 2^31 ticks per step would be ambiguous; 1e9 is well within half the range.
    for (let i = 0; i < 20; i++) assert.equal(unwrap((base + i * 1e9) % TWO_POW_32), base + i * 1e9);
  });

  it("rejects values outside 32 bits", () => {
    const unwrap = createRtpUnwrapper();
    assert.throws(() => unwrap(TWO_POW_32), /32-bit unsigned integer, got `4294967296`/);
    assert.throws(() => unwrap(-1), /got `-1`/);
  });
});

describe("createSequenceUnwrapper", () => {
  it("follows 16-bit sequence numbers through the wrap and back for a reordered packet", () => {
    const unwrap = createSequenceUnwrapper();
    assert.deepEqual([65534, 65535, 0, 1, 65535, 3].map(unwrap), [65534, 65535, 65536, 65537, 65535, 65539]);
  });

  it("rejects values outside 16 bits", () => {
    assert.throws(() => createSequenceUnwrapper()(65536), /16-bit unsigned integer/);
  });
});
