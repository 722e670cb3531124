import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ntpFromUnixMs, ntpToMiddle32, unixMsFromNtp } from "../../../src/lib/analysis/index.js";

const UNIX_EPOCH_AS_NTP_S = 2_208_988_800;
const TWO_POW_32 = 2 ** 32;

describe("ntpFromUnixMs", () => {
  it("puts the unix epoch at 2,208,988,800 s after 1900", () => {
    assert.deepEqual(ntpFromUnixMs(0), { msw: UNIX_EPOCH_AS_NTP_S, lsw: 0 });
  });

  it("encodes the fraction in units of 2^-32 s, not decimal digits", () => {
    assert.deepEqual(ntpFromUnixMs(1500), { msw: UNIX_EPOCH_AS_NTP_S + 1, lsw: 2 ** 31 });
    assert.deepEqual(ntpFromUnixMs(250), { msw: UNIX_EPOCH_AS_NTP_S, lsw: 2 ** 30 });
    // werift's ntpTime() would turn 1,700,000,000.5 s into a fraction from the digits "5".
    assert.deepEqual(ntpFromUnixMs(1_700_000_000_500), { msw: 1_700_000_000 + UNIX_EPOCH_AS_NTP_S, lsw: 2 ** 31 });
  });

  it("encodes a .999999 s fraction just below a whole second", () => {
    const { msw, lsw } = ntpFromUnixMs(1_700_000_000_999.999);
    assert.equal(msw, 1_700_000_000 + UNIX_EPOCH_AS_NTP_S);
    // 0.999999 × 2^32 = 4294962999.03…; the double closest to …999.999 ms lands within a few units.
    assert.ok(Math.abs(lsw - 4_294_962_999) <= 600, `lsw ${lsw}`);
  });

  it("carries a fraction that rounds up to a whole second into the seconds", () => {
    assert.deepEqual(ntpFromUnixMs(999.99999999999), { msw: UNIX_EPOCH_AS_NTP_S + 1, lsw: 0 });
  });

  it("wraps the seconds word into NTP era 1 after 2036-02-07", () => {
    const unixMs = Date.UTC(2040, 0, 1, 12, 0, 0, 250);
    const { msw, lsw } = ntpFromUnixMs(unixMs);
    assert.ok(msw < 2 ** 31);
    assert.equal(lsw, 2 ** 30);
    assert.equal(unixMsFromNtp(msw, lsw), unixMs);
  });

  it("rejects a time that is not a finite number", () => {
    assert.throws(() => ntpFromUnixMs(Number.NaN), /finite unix time in ms, got `NaN`/);
  });
});

describe("unixMsFromNtp", () => {
  it("decodes a fraction exactly, including ones with no finite decimal form", () => {
    assert.equal(unixMsFromNtp(UNIX_EPOCH_AS_NTP_S, 1), 1000 / TWO_POW_32);
    assert.equal(unixMsFromNtp(UNIX_EPOCH_AS_NTP_S, 2 ** 31), 500);
    assert.equal(unixMsFromNtp(UNIX_EPOCH_AS_NTP_S, 0xffffffff), 1000 - 1000 / TWO_POW_32);
  });

  it("rejects words that are not 32-bit unsigned integers", () => {
    assert.throws(() => unixMsFromNtp(-1, 0), /`msw` to be a 32-bit unsigned integer, got `-1`/);
    assert.throws(() => unixMsFromNtp(0, TWO_POW_32), /`lsw`/);
    assert.throws(() => unixMsFromNtp(0, 0.5), /`lsw`/);
  });
});

describe("NTP round trips", () => {
  it("unix ms → NTP → unix ms is off by at most half a 2^-32 s unit", () => {
    for (const unixMs of [0, 1, 0.001, 999.999999, 12_345.678]) {
      const { msw, lsw } = ntpFromUnixMs(unixMs);
      assert.ok(Math.abs(unixMsFromNtp(msw, lsw) - unixMs) <= 500 / TWO_POW_32, `unixMs ${unixMs}`);
    }
  });

  it("unix ms → NTP → unix ms returns the same double at today's dates", () => {
    // A double near 1.7e12 ms resolves 2.4e-4 ms, far coarser than 2^-32 s, so nothing is lost.
    for (const unixMs of [1_700_000_000_000, 1_700_000_000_123.456, 1_700_000_000_999.999, 1_754_321_987_654.321, Date.UTC(2036, 1, 7, 6, 28, 15, 999)]) {
      const { msw, lsw } = ntpFromUnixMs(unixMs);
      assert.equal(unixMsFromNtp(msw, lsw), unixMs, `unixMs ${unixMs}`);
    }
  });

  it("NTP → unix ms → NTP is exact while doubles resolve 2^-32 s", () => {
    // 1/3 s (1431655765 / 2^32) has no finite decimal expansion.
    for (const lsw of [0, 1, 123_456_789, 1_431_655_765, 2 ** 31, 0xffffffff]) {
      const msw = UNIX_EPOCH_AS_NTP_S + 5;
      assert.deepEqual(ntpFromUnixMs(unixMsFromNtp(msw, lsw)), { msw, lsw }, `lsw ${lsw}`);
    }
  });

  it("NTP → unix ms → NTP stays within the double's resolution at today's dates", () => {
    const msw = UNIX_EPOCH_AS_NTP_S + 1_754_321_987;
    for (const lsw of [1, 1_431_655_765, 0xfffffff0]) {
      const back = ntpFromUnixMs(unixMsFromNtp(msw, lsw));
      const differenceUnits = (back.msw - msw) * TWO_POW_32 + (back.lsw - lsw);
      // Half an ulp of ~1.75e12 ms is 1.2e-4 ms ≈ 525 units of 2^-32 s.
      assert.ok(Math.abs(differenceUnits) <= 525, `lsw ${lsw} came back ${differenceUnits} units away`);
    }
  });
});

describe("ntpToMiddle32", () => {
  it("takes the low 16 bits of the seconds and the high 16 bits of the fraction", () => {
    assert.equal(ntpToMiddle32(0x12345678, 0x9abcdef0), 0x56789abc);
    assert.equal(ntpToMiddle32(0xffffffff, 0xffffffff), 0xffffffff);
  });
});
