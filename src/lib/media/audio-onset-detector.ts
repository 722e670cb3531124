import OpusScript from "opusscript";
import { toBeepFrequencyHz } from "./beep-tone.js";
import { measureTonePower } from "./goertzel.js";
import { opusLookaheadSamples } from "./opus-format.js";
import { patternSampleRate } from "./pattern-options.js";

// One beep found in the received audio.
export interface AudioOnset {
  /** RTP tick (48 kHz, unwrapped) of the beep's first sample in the sender's PCM. */
  onsetRtp: number;
  markerCode: number;
  /** Peak decoded amplitude of the burst, 0..1 of full scale. */
  peak: number;
  /** Power at the chosen pitch over the runner-up's; near 1 means the pitch is a guess. */
  toneContrast: number;
  /** The burst's pitch from its zero crossings, Hz. */
  pitchHz: number;
  /** How long the burst sounded, ms (at most the detector's window). */
  lengthMs: number;
}

/** What an un-indexed clip's beep must look like: a tone burst of a plausible pitch and length. */
export interface ToneRule {
  minLengthMs: number;
  minPitchHz: number;
  maxPitchHz: number;
}

/** Sync clips beep between 300 Hz and 5 kHz for 40 ms or more (issue 17); speech and clicks do not fit. */
export const clipToneRule: ToneRule = Object.freeze({ minLengthMs: 40, minPitchHz: 300, maxPitchHz: 5000 });

// A sample below this counts as silence (−34 dBFS; decoded digital silence sits far lower).
const silenceLevel = 0.02;
// A beep is suspected when a sample crosses this; the onset itself is refined afterwards.
const triggerLevel = 0.05;
// The onset is the first sample at this fraction of the burst's peak. For a cosine-phase
// burst that is its first sample whatever the codec's gain, and it clears Opus pre-echo (≤ 0.12 FS).
const onsetFractionOfPeak = 0.3;
// Silence wanted before an onset, so tails and clicks never read as onsets.
const armingSilenceSamples = Math.round(0.05 * patternSampleRate);
// Opus smears a sharp onset up to ~150 samples backwards (one short MDCT block); that much noise before it is allowed.
const preEchoSamples = Math.round(0.004 * patternSampleRate);
// After a reset less than armingSilenceSamples of history exist; this much verified silence still
// proves the burst began after the decoder's 120-sample start-up ramp, i.e. it was not cut by the reset.
const minLeadInSamples = Math.round(0.001 * patternSampleRate);
// A burst cut short by loss or end of stream is still classified if at least this much arrived.
const minToneSamples = Math.round(0.02 * patternSampleRate);
// A burst has ended once it stays below silenceLevel this long (longer than a period of 300 Hz).
const toneEndQuietSamples = Math.round(0.005 * patternSampleRate);
// Keeps the Goertzel window off the burst's edges, where the codec smears the spectrum.
const edgeTrimSamples = Math.round(0.002 * patternSampleRate);
// libopus ctl: forget all history, as a fresh decoder would.
const opusResetState = 4028;

interface PendingBurst {
  /** Decoded-stream position of samples[0]. */
  startPos: number;
  /** Index of the first sample decoded after the last reset; earlier ones are padding. */
  firstRealIndex: number;
  triggerIndex: number;
  samples: Float32Array;
  filled: number;
}

// The receiver's half of the audio marker: decodes Opus packets in RTP order and reports beep onsets.
// Synchronous on purpose, so it runs inline in the RTP handler.
export class AudioOnsetDetector {
  private readonly markerCodes: number;
  private readonly burstSamples: number;
  private readonly toneRule: ToneRule | null;
  private readonly lookaheadSamples: number;
  private readonly decoder = new OpusScript(patternSampleRate, 1, OpusScript.Application.AUDIO);
  // Ring of the last armingSilenceSamples decoded samples, to look back from a trigger.
  private readonly history = new Float32Array(armingSilenceSamples);
  /** Decoded samples since the last reset, i.e. how much of history is real. */
  private continuousSamples = 0;
  private nextRtp: number | undefined;
  private pending: PendingBurst | undefined;

  // `toneRule` (un-indexed clips) rejects bursts of the wrong pitch or length; the indexed pattern knows its beeps.
  // `lookaheadSamples` is taken off every onset: the Opus encoder's delay when the sender's RTP
  // timestamps are those of its encoder input (libwebrtc, aiortc, avsync), 0 when the sender
  // already took it out of them (GStreamer's opusenc).
  constructor(opts: { markerCodes: number; beepMs?: number; toneRule?: ToneRule; lookaheadSamples?: number }) {
    if (!Number.isInteger(opts.markerCodes) || opts.markerCodes < 1) {
      throw new RangeError(`Expected \`markerCodes\` to be a positive integer, got \`${opts.markerCodes}\`.`);
    }
    const beepMs = opts.beepMs ?? 100;
    if (!(beepMs >= 20)) throw new RangeError(`Expected \`beepMs\` to be at least 20, got \`${beepMs}\`.`);
    this.markerCodes = opts.markerCodes;
    this.toneRule = opts.toneRule ?? null;
    this.lookaheadSamples = opts.lookaheadSamples ?? opusLookaheadSamples;
    this.burstSamples = Math.round((beepMs / 1000) * patternSampleRate);
  }

  // Feeds one packet; rtpTs is unwrapped and in 48 kHz ticks. A timestamp jump is a loss: state resets.
  push(packet: Buffer, rtpTs: number): AudioOnset[] {
    const onsets: AudioOnset[] = [];
    if (this.nextRtp !== undefined && rtpTs !== this.nextRtp) this.reset(onsets);
    let pcm: Buffer;
    try {
      pcm = this.decoder.decode(packet);
    } catch {
      // A corrupt packet is a hole in the audio like a lost one.
      this.reset(onsets);
      return onsets;
    }
    const sampleCount = pcm.length / 2;
    for (let i = 0; i < sampleCount; i++) this.take(pcm.readInt16LE(i * 2) / 32768, rtpTs + i, onsets);
    this.nextRtp = rtpTs + sampleCount;
    return onsets;
  }

  // Reports a burst still being collected when the stream ends, if enough of it arrived to name it.
  flush(): AudioOnset[] {
    const onsets: AudioOnset[] = [];
    this.reset(onsets);
    return onsets;
  }

  // Frees the WASM decoder; the detector is unusable afterwards.
  close(): void {
    this.decoder.delete();
  }

  // Ends the continuous run: the decoder restarts cold, so nothing after a gap leans on audio before it.
  private reset(onsets: AudioOnset[]): void {
    const onset = this.pending && this.classify(this.pending);
    if (onset) onsets.push(onset);
    this.pending = undefined;
    this.continuousSamples = 0;
    this.nextRtp = undefined;
    this.decoder.decoderCTL(opusResetState, 0);
  }

  private take(sample: number, pos: number, onsets: AudioOnset[]): void {
    if (this.pending) {
      this.pending.samples[this.pending.filled++] = sample;
      if (this.pending.filled === this.pending.samples.length) {
        const onset = this.classify(this.pending);
        if (onset) onsets.push(onset);
        this.pending = undefined;
      }
    } else if (Math.abs(sample) >= triggerLevel) {
      this.pending = this.startBurst(sample, pos);
    }
    this.history[this.continuousSamples % armingSilenceSamples] = sample;
    this.continuousSamples++;
  }

  // Collects the arming window before the trigger and the whole burst after it (plus pre-echo slack).
  private startBurst(sample: number, pos: number): PendingBurst {
    const samples = new Float32Array(armingSilenceSamples + preEchoSamples + this.burstSamples);
    const available = Math.min(this.continuousSamples, armingSilenceSamples);
    for (let back = available; back >= 1; back--) {
      samples[armingSilenceSamples - back] = this.history[(this.continuousSamples - back) % armingSilenceSamples]!;
    }
    samples[armingSilenceSamples] = sample;
    return {
      startPos: pos - armingSilenceSamples,
      firstRealIndex: armingSilenceSamples - available,
      triggerIndex: armingSilenceSamples,
      samples,
      filled: armingSilenceSamples + 1,
    };
  }

  private classify(burst: PendingBurst): AudioOnset | null {
    const samples = burst.samples.subarray(0, burst.filled);
    const searchFrom = burst.triggerIndex - preEchoSamples;
    let peak = 0;
    for (let i = searchFrom; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]!));
    let onsetIndex = searchFrom;
    while (Math.abs(samples[onsetIndex]!) < onsetFractionOfPeak * peak) onsetIndex++;
    if (!this.followsSilence(samples, burst.firstRealIndex, onsetIndex)) return null;
    const endIndex = Math.min(toneEnd(samples, onsetIndex), onsetIndex + this.burstSamples);
    const tone = samples.subarray(onsetIndex + edgeTrimSamples, endIndex - edgeTrimSamples);
    if (tone.length < minToneSamples) return null;
    const lengthMs = ((endIndex - onsetIndex) * 1000) / patternSampleRate;
    const pitchHz = (countZeroCrossings(tone) * patternSampleRate) / (2 * tone.length);
    const rule = this.toneRule;
    if (rule && (lengthMs < rule.minLengthMs || pitchHz < rule.minPitchHz || pitchHz > rule.maxPitchHz)) return null;
    const { markerCode, toneContrast } = this.identifyMarker(tone);
    return { onsetRtp: burst.startPos + onsetIndex - this.lookaheadSamples, markerCode, peak, toneContrast, pitchHz, lengthMs };
  }

  // A real onset has silence before it: the full arming window, or after a reset all the verified lead-in there is.
  private followsSilence(samples: Float32Array, firstRealIndex: number, onsetIndex: number): boolean {
    const quietEnd = onsetIndex - preEchoSamples;
    const quietStart = Math.max(firstRealIndex, onsetIndex - armingSilenceSamples);
    if (quietEnd - quietStart < minLeadInSamples) return false;
    for (let i = quietStart; i < quietEnd; i++) if (Math.abs(samples[i]!) >= silenceLevel) return false;
    return true;
  }

  private identifyMarker(tone: Float32Array): { markerCode: number; toneContrast: number } {
    const powers = Array.from({ length: this.markerCodes }, (_, code) =>
      measureTonePower(tone, toBeepFrequencyHz(code), patternSampleRate),
    );
    const markerCode = powers.indexOf(Math.max(...powers));
    const runnerUp = Math.max(0, ...powers.filter((_, code) => code !== markerCode));
    return { markerCode, toneContrast: runnerUp > 0 ? powers[markerCode]! / runnerUp : Number.POSITIVE_INFINITY };
  }
}

// Index just past the burst's last loud sample before toneEndQuietSamples of quiet (or the data's end).
function toneEnd(samples: Float32Array, onsetIndex: number): number {
  let lastLoud = onsetIndex;
  for (let i = onsetIndex; i < samples.length && i - lastLoud <= toneEndQuietSamples; i++) {
    if (Math.abs(samples[i]!) >= silenceLevel) lastLoud = i;
  }
  return lastLoud + 1;
}

function countZeroCrossings(samples: Float32Array): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 !== samples[i]! < 0) crossings++;
  return crossings;
}
