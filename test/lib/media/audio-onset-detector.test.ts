import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AudioOnsetDetector,
  encodeTestPattern,
  placeBeepOnsetSample,
  type AudioOnset,
  type EncodedPattern,
} from "../../../src/lib/media/index.js";
import { useFreshPatternCache } from "./pattern-env.js";

useFreshPatternCache();

// ±0.25 ms at 48 kHz.
const toleranceTicks = 12;
const loopTicks = 8 * 48000;

// Feeds packets as a receiver would, packet j of the stream carrying rtpTs = base + j * 960.
function detect(pattern: EncodedPattern, base: number, packetIndexes: number[]): AudioOnset[] {
  const detector = new AudioOnsetDetector({ markerCodes: pattern.options.loopMarkers, beepMs: pattern.options.beepMs });
  const onsets: AudioOnset[] = [];
  for (const j of packetIndexes) onsets.push(...detector.push(pattern.audio[j % pattern.audio.length]!, base + j * 960));
  onsets.push(...detector.flush());
  detector.close();
  return onsets;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, j) => j);
}

// True stream position of marker k's beep in the given loop pass.
function expectedOnsetRtp(pattern: EncodedPattern, base: number, markerCode: number, pass: number): number {
  return base + pass * loopTicks + placeBeepOnsetSample(pattern.options, markerCode);
}

function assertOnsetsMatch(pattern: EncodedPattern, base: number, onsets: AudioOnset[], passes: number): void {
  const expected = range(passes * 8)
    .map((n) => ({ markerCode: n % 8, onsetRtp: expectedOnsetRtp(pattern, base, n % 8, Math.floor(n / 8)) }))
    .sort((a, b) => a.onsetRtp - b.onsetRtp);
  assert.equal(onsets.length, expected.length, `onsets: ${JSON.stringify(onsets)}`);
  for (const [n, onset] of onsets.entries()) {
    assert.equal(onset.markerCode, expected[n]!.markerCode, `marker code of onset ${n}`);
    const errorTicks = onset.onsetRtp - expected[n]!.onsetRtp;
    assert.ok(Math.abs(errorTicks) <= toleranceTicks, `onset ${n} (marker ${onset.markerCode}) is off by ${errorTicks} ticks`);
    assert.ok(onset.toneContrast > 10, `marker ${onset.markerCode} pitch contrast is only ${onset.toneContrast}`);
  }
}

describe("AudioOnsetDetector", () => {
  for (const contentOffsetMs of [0, 80, -120]) {
    for (const base of [10_000, 2 ** 32 - 200_000]) {
      it(`finds each beep once with its marker, within ±0.25 ms (contentOffsetMs ${contentOffsetMs}, rtp base ${base})`, async () => {
        const pattern = await encodeTestPattern({ contentOffsetMs });
        assertOnsetsMatch(pattern, base, detect(pattern, base, range(pattern.audio.length)), 1);
      });
    }

    it(`finds 2 × loopMarkers beeps when the loop plays twice (contentOffsetMs ${contentOffsetMs})`, async () => {
      const pattern = await encodeTestPattern({ contentOffsetMs });
      assertOnsetsMatch(pattern, 10_000, detect(pattern, 10_000, range(2 * pattern.audio.length)), 2);
    });
  }

  it("invents no onset when 3 packets are lost in the middle of silence", async () => {
    const pattern = await encodeTestPattern({});
    // Packets 70..72 cover 1.40–1.46 s, between beep 1 (1.0–1.1 s) and beep 2 (2.0 s).
    const survivors = range(pattern.audio.length).filter((j) => j < 70 || j > 72);
    assertOnsetsMatch(pattern, 10_000, detect(pattern, 10_000, survivors), 1);
  });

  it("drops a beep whose start was lost instead of reporting a late onset", async () => {
    const pattern = await encodeTestPattern({});
    // Beep 3 starts at packet 150; losing 150..151 leaves only its middle.
    const survivors = range(pattern.audio.length).filter((j) => j !== 150 && j !== 151);
    const onsets = detect(pattern, 10_000, survivors);
    assert.deepEqual(
      onsets.map((onset) => onset.markerCode),
      [0, 1, 2, 4, 5, 6, 7],
    );
  });

  it("ignores a beep already under way when the stream starts, and reports one that starts with it", async () => {
    const pattern = await encodeTestPattern({});
    // Beep 1 starts exactly at packet 50.
    assert.deepEqual(detect(pattern, 0, range(60).slice(51)), []);
    const [onset, ...rest] = detect(pattern, 0, range(60).slice(50));
    assert.deepEqual(rest, []);
    assert.equal(onset?.markerCode, 1);
    assert.ok(Math.abs(onset.onsetRtp - 48_000) <= toleranceTicks, `onset at ${onset.onsetRtp}`);
  });
});
