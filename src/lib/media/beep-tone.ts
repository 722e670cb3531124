import { measurePatternLoop, patternSampleRate, type PatternOptions } from "./pattern-options.js";

// 200 Hz steps are 20 Goertzel bins apart over a 100 ms burst, so markers never blur into each other.
const baseFrequencyHz = 500;
const stepFrequencyHz = 200;
// Loud enough to stand far above codec noise, with headroom for Opus overshoot.
export const beepAmplitude = 0.5;

// The beep's pitch names its marker, so a lost beep cannot pair with the wrong flash.
export function toBeepFrequencyHz(markerCode: number): number {
  return baseFrequencyHz + stepFrequencyHz * markerCode;
}

// Where marker k's beep starts in the loop's PCM; the one place the offset sign is applied to audio.
export function placeBeepOnsetSample(options: PatternOptions, markerCode: number): number {
  const { loopSamples } = measurePatternLoop(options);
  const flashTimeS = markerCode * options.markerPeriodS;
  const onset = Math.round((flashTimeS - options.contentOffsetMs / 1000) * patternSampleRate);
  return ((onset % loopSamples) + loopSamples) % loopSamples;
}

// Renders one loop of pattern audio: silence plus one cosine-phase burst per marker, wrapping at the loop end.
export function synthesizePatternAudio(options: PatternOptions): Float32Array {
  const { loopSamples } = measurePatternLoop(options);
  const pcm = new Float32Array(loopSamples);
  const beepSamples = Math.round((options.beepMs / 1000) * patternSampleRate);
  for (let k = 0; k < options.loopMarkers; k++) {
    const onset = placeBeepOnsetSample(options, k);
    const radiansPerSample = (2 * Math.PI * toBeepFrequencyHz(k)) / patternSampleRate;
    // Cosine phase puts full amplitude on the first sample: the sharpest onset a tone can have.
    for (let n = 0; n < beepSamples; n++) {
      pcm[(onset + n) % loopSamples] = beepAmplitude * Math.cos(radiansPerSample * n);
    }
  }
  return pcm;
}
