import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ntpFromUnixMs, SenderClock, unixMsFromNtp } from "../../../src/lib/analysis/index.js";
import { createRandom, TWO_POW_32 } from "./synthetic-streams.js";

const START_MS = 1_754_321_987_654.321;

// What a receiver decodes from an SR sent at unixMs: the wire NTP round trip included.
function ntpMsOnWire(unixMs: number): number {
  const { msw, lsw } = ntpFromUnixMs(unixMs);
  return unixMsFromNtp(msw, lsw);
}

describe("SenderClock", () => {
  it("has no mapping before the first SR", () => {
    const clock = new SenderClock(90_000);
    assert.equal(clock.toSenderMs(clock.unwrap(12345)), null);
    assert.equal(clock.ntpDriftPpm(), null);
  });

  it("extends a single SR at the nominal clock rate", () => {
    const clock = new SenderClock(48_000);
    clock.addSenderReport({ ntpMs: START_MS, rtpTs: 1000, arrivalMs: 5 });
    assert.equal(clock.toSenderMs(clock.unwrap(1000 + 48_000)), START_MS + 1000);
    assert.equal(clock.toSenderMs(clock.unwrap(1000 - 960)), START_MS - 20);
    assert.equal(clock.ntpDriftPpm(), null);
  });

  it("places packets on the sender's clock across an RTP wrap, SRs and packets interleaved", () => {
    const clock = new SenderClock(90_000);
    // The RTP clock wraps 2 s into the stream.
    const baseTs = TWO_POW_32 - 2 * 90_000;
    const checks: { rtpTs: number; captureMs: number }[] = [];
    for (let i = 0; i < 300; i++) {
      const captureMs = START_MS + (i * 1000) / 30;
      if (i % 15 === 7) {
        const srMs = captureMs + 3;
        clock.addSenderReport({ ntpMs: ntpMsOnWire(srMs), rtpTs: Math.round(baseTs + (srMs - START_MS) * 90) % TWO_POW_32, arrivalMs: srMs + 40 });
      }
      checks.push({ rtpTs: clock.unwrap((baseTs + i * 3000) % TWO_POW_32), captureMs });
    }
    for (const { rtpTs, captureMs } of checks) {
      assert.ok(Math.abs((clock.toSenderMs(rtpTs) ?? NaN) - captureMs) < 0.01, `capture ${captureMs - START_MS} ms`);
    }
    assert.ok(Math.abs(clock.ntpDriftPpm() ?? NaN) < 0.5);
  });

  it("measures an RTP clock 100 ppm fast against NTP and still maps it", () => {
    const clock = new SenderClock(90_000);
    const ratePerMs = 90 * (1 + 100e-6);
    const baseTs = 3_000_000_000;
    for (let s = 0; s <= 60; s++) {
      const srMs = START_MS + s * 1000;
      clock.addSenderReport({ ntpMs: ntpMsOnWire(srMs), rtpTs: Math.round(baseTs + s * 1000 * ratePerMs) % TWO_POW_32, arrivalMs: 0 });
    }
    assert.ok(Math.abs((clock.ntpDriftPpm() ?? NaN) - 100) < 0.05, `drift ${clock.ntpDriftPpm()}`);
    // At 59.5 s the nominal rate alone would be 6 ms off.
    const rtpTs = baseTs + 59_500 * ratePerMs;
    assert.ok(Math.abs((clock.toSenderMs(rtpTs) ?? NaN) - (START_MS + 59_500)) < 0.01);
  });

  it("fits through SR jitter rather than following the nearest SR", () => {
    const random = createRandom(3);
    const clock = new SenderClock(48_000);
    for (let s = 0; s < 30; s++) {
      const srMs = START_MS + s * 1000;
      // Like aiortc: the SR's NTP is the wall clock at send, off by up to ±2 ms of pacing.
      clock.addSenderReport({ ntpMs: srMs + (random() - 0.5) * 4, rtpTs: s * 48_000, arrivalMs: 0 });
    }
    assert.ok(Math.abs((clock.toSenderMs(15_000 * 48) ?? NaN) - (START_MS + 15_000)) < 1);
  });

  it("keeps the raw SR series with unwrapped timestamps", () => {
    const clock = new SenderClock(90_000);
    clock.addSenderReport({ ntpMs: 1, rtpTs: TWO_POW_32 - 10, arrivalMs: 2 });
    clock.addSenderReport({ ntpMs: 3, rtpTs: 80, arrivalMs: 4 });
    assert.deepEqual(clock.senderReports(), [
      { ntpMs: 1, rtpTicks: TWO_POW_32 - 10, arrivalMs: 2 },
      { ntpMs: 3, rtpTicks: TWO_POW_32 + 80, arrivalMs: 4 },
    ]);
  });

  it("rejects a clock rate that is not positive", () => {
    assert.throws(() => new SenderClock(0), /positive RTP clock rate in Hz, got `0`/);
  });
});
