import OpusScript from "opusscript";
import { opusBitrateBps } from "./opus-format.js";
import { patternAudioFrameSamples, patternSampleRate } from "./pattern-options.js";

// Enough history to fill the encoder's look-ahead and settle its band energies.
const primingFrames = 5;

// Encodes one loop of mono PCM so the packet array can be replayed end-to-start without a seam.
// opusscript rather than libav's libopus: it is synchronous, so the probe's decoder
// (audio-onset-detector.ts) runs inline in the RTP handler, and encoder and decoder share one libopus build.
export function encodeOpusLoop(pcm: Float32Array): Buffer[] {
  if (pcm.length % patternAudioFrameSamples !== 0 || pcm.length < primingFrames * patternAudioFrameSamples) {
    throw new RangeError(`Expected a loop of whole 20 ms frames, got ${pcm.length} samples.`);
  }
  const encoder = new OpusScript(patternSampleRate, 1, OpusScript.Application.AUDIO);
  try {
    encoder.setBitrate(opusBitrateBps);
    const frameCount = pcm.length / patternAudioFrameSamples;
    const packets: Buffer[] = [];
    // Feeding the loop's tail first puts the encoder in the state it will be in when the loop wraps.
    for (let f = frameCount - primingFrames; f < 2 * frameCount; f++) {
      const start = (f % frameCount) * patternAudioFrameSamples;
      const packet = encoder.encode(toS16Buffer(pcm.subarray(start, start + patternAudioFrameSamples)), patternAudioFrameSamples);
      if (f >= frameCount) packets.push(packet);
    }
    return packets;
  } finally {
    encoder.delete();
  }
}

function toS16Buffer(samples: Float32Array): Buffer {
  const out = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    out.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32767))), i * 2);
  }
  return out;
}
