import assert from "node:assert/strict";
import { describe, it } from "node:test";
import OpusScript from "opusscript";
import { placeBeepOnsetSample, synthesizePatternAudio } from "../../../src/lib/media/beep-tone.js";
import { encodeOpusLoop } from "../../../src/lib/media/opus-encode.js";
import { opusLookaheadSamples } from "../../../src/lib/media/opus-format.js";
import { resolvePatternOptions } from "../../../src/lib/media/pattern-options.js";

function decodeAll(packets: Buffer[]): Float32Array {
  const decoder = new OpusScript(48000, 1, OpusScript.Application.AUDIO);
  const pcm = new Float32Array(packets.length * 960);
  for (const [j, packet] of packets.entries()) {
    const decoded = decoder.decode(packet);
    for (let i = 0; i < 960; i++) pcm[j * 960 + i] = decoded.readInt16LE(i * 2) / 32768;
  }
  decoder.delete();
  return pcm;
}

// Relative RMS error of decoded against source delayed by the look-ahead, over [from, to) of the decoded stream.
function relativeError(decoded: Float32Array, source: Float32Array, from: number, to: number): number {
  let error = 0;
  let energy = 0;
  for (let n = from; n < to; n++) {
    const reference = source[(n - opusLookaheadSamples + source.length) % source.length]!;
    error += (decoded[n]! - reference) ** 2;
    energy += reference ** 2;
  }
  return Math.sqrt(error / energy);
}

describe("encodeOpusLoop", () => {
  it(`delays every beep onset by exactly ${opusLookaheadSamples} samples (the measured Opus look-ahead)`, () => {
    const options = resolvePatternOptions({ contentOffsetMs: -37.1 });
    const source = synthesizePatternAudio(options);
    const decoded = decodeAll(encodeOpusLoop(source));
    for (let k = 0; k < options.loopMarkers; k++) {
      const onset = placeBeepOnsetSample(options, k);
      let peak = 0;
      for (let n = onset; n < onset + 4800; n++) peak = Math.max(peak, Math.abs(decoded[n + opusLookaheadSamples]!));
      let first = onset;
      while (Math.abs(decoded[first]!) < 0.3 * peak) first++;
      assert.equal(first - onset, opusLookaheadSamples, `beep ${k}`);
    }
  });

  it("loops without a seam: a beep spanning the loop end decodes as cleanly as one in the middle", () => {
    // Beep 0 starts 80 ms before the loop end and finishes 20 ms into the next pass.
    const source = synthesizePatternAudio(resolvePatternOptions({ contentOffsetMs: 80 }));
    const packets = encodeOpusLoop(source);
    const decoded = decodeAll([...packets, ...packets]);
    const wrap = source.length + opusLookaheadSamples;
    const acrossWrap = relativeError(decoded, source, wrap - 1920, wrap + 480);
    const middle = relativeError(decoded, source, 48000 - 3840 + opusLookaheadSamples + 480, 48000 - 3840 + opusLookaheadSamples + 2880);
    assert.ok(acrossWrap < Math.max(0.05, 2 * middle), `error across the wrap ${acrossWrap}, mid-beep ${middle}`);
  });
});
