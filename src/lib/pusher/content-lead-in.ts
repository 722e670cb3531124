import type { PatternOptions } from "../media/index.js";

const audioFramesPerS = 50;

/** Where pushing starts in the pattern: how far before marker 0, in video frames, audio frames and ms. */
export interface ContentLeadIn {
  videoFrames: number;
  audioFrames: number;
  ms: number;
}

/** The pattern's lead-in (PatternOptions.leadInS) in the pusher's units. */
export function contentLeadIn(pattern: Pick<PatternOptions, "fps" | "leadInS">): ContentLeadIn {
  return {
    videoFrames: Math.round(pattern.leadInS * pattern.fps),
    audioFrames: Math.round(pattern.leadInS * audioFramesPerS),
    ms: pattern.leadInS * 1000,
  };
}

/**
 * How many markers a run of `durationS` carries whole: flash and beep both inside the run.
 * Offsets use DESIGN §3's sign, so the beep of a marker sits `contentOffsetMs` before its flash.
 */
export function countExpectedMarkers(
  pattern: Pick<PatternOptions, "fps" | "markerPeriodS" | "contentOffsetMs" | "leadInS">,
  durationS: number,
): number {
  const leadInMs = contentLeadIn(pattern).ms;
  const periodMs = pattern.markerPeriodS * 1000;
  let count = 0;
  for (let k = 0; leadInMs + k * periodMs < durationS * 1000; k++) {
    const beepMs = leadInMs + k * periodMs - pattern.contentOffsetMs;
    if (beepMs >= 0 && beepMs < durationS * 1000) count++;
  }
  return count;
}
