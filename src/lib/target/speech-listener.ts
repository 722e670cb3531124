import OpusScript from "opusscript";
import { patternAudioFrameSamples, patternSampleRate } from "../media/index.js";

/** One utterance heard: its speech (48 kHz mono) and when its last loud packet had played out (performance.now()). */
export interface HeardUtterance {
  pcm: Float32Array;
  endedAtMs: number;
}

// A 20 ms packet is speech above this RMS (full scale 1): espeak-ng's speech runs 0.05–0.3, Opus's silence ~0.
const speechRms = 0.02;
// The end of an utterance: this much quiet after speech (Pipecat's VAD waits 0.8 s; a comma's pause is ~0.2 s).
const endSilenceFrames = 30;
// Kept before the first loud packet, so a soft onset is not cut off.
const preRollFrames = 5;
const frameMs = (patternAudioFrameSamples * 1000) / patternSampleRate;

/**
 * The reference head's ear for the in-band driver: decodes the 20 ms Opus packets a viewer speaks on
 * its microphone track and hands over each utterance once 600 ms of quiet followed it.
 */
export class SpeechListener {
  private readonly decoder = new OpusScript(patternSampleRate, 1, OpusScript.Application.VOIP);
  private readonly frames: Float32Array[] = [];
  private speaking = false;
  private quiet = 0;
  private lastLoudMs = 0;

  constructor(private readonly onUtterance: (heard: HeardUtterance) => void) {}

  /** One packet's payload, as it arrived. */
  push(payload: Buffer, arrivalMs: number): void {
    let samples: Int16Array;
    try {
      const decoded = this.decoder.decode(payload);
      samples = new Int16Array(decoded.buffer, decoded.byteOffset, decoded.length >> 1);
    } catch {
      return;
    }
    const frame = Float32Array.from(samples, (s) => s / 32768);
    let sum = 0;
    for (const s of frame) sum += s * s;
    const loud = Math.sqrt(sum / Math.max(1, frame.length)) >= speechRms;
    this.frames.push(frame);
    if (loud) {
      this.speaking = true;
      this.quiet = 0;
      this.lastLoudMs = arrivalMs + frameMs;
      return;
    }
    if (!this.speaking) {
      if (this.frames.length > preRollFrames) this.frames.shift();
      return;
    }
    if (++this.quiet < endSilenceFrames) return;
    const kept = this.frames.slice(0, this.frames.length - this.quiet + 2);
    const pcm = new Float32Array(kept.reduce((n, f) => n + f.length, 0));
    let at = 0;
    for (const f of kept) {
      pcm.set(f, at);
      at += f.length;
    }
    this.frames.length = 0;
    this.speaking = false;
    this.quiet = 0;
    this.onUtterance({ pcm, endedAtMs: this.lastLoudMs });
  }

  close(): void {
    this.decoder.delete();
  }
}
