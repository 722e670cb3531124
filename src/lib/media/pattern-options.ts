import { videoCodecNames, type VideoCodecName } from "./video-codecs.js";

// Knobs of the lip-sync test pattern (DESIGN.md §4). The sign convention for
// contentOffsetMs is DESIGN.md §3: offset = t(video) − t(audio), positive = audio leads.
export interface PatternOptions {
  fps: number;
  width: number;
  height: number;
  /** One flash and one beep per period. */
  markerPeriodS: number;
  /** The content repeats after loopMarkers * markerPeriodS seconds. */
  loopMarkers: number;
  beepMs: number;
  /** Beep onset sits at flashTime − contentOffsetMs on the content timeline. */
  contentOffsetMs: number;
  /** Every frame a keyframe, for senders that skip or repeat frames. */
  allKeyframes: boolean;
  /** The codec the pattern's video is encoded in and sent as. */
  videoCodec: VideoCodecName;
  /** Target video bitrate; null: 0.3 bits per pixel per frame, ample for the pattern's flat blocks. */
  videoBitrateBps: number | null;
  /**
   * The user's own clip to push instead of the pattern (any file Debian's ffmpeg reads), decoded and
   * re-encoded once before the run; it loops from its start (leadInS must be 0). Null: the pattern.
   */
  mediaFile: string | null;
  /**
   * Playback starts this long before marker 0 (at the end of the loop), on a frame encoded as a
   * keyframe, so no marker sits on the edge of a run and a decoder can start with the first frame.
   */
  leadInS: number;
}

// Loop-derived counts that the encoder, the cache and the probe must agree on.
export interface PatternLoop {
  loopFrames: number;
  framesPerMarker: number;
  loopSamples: number;
  samplesPerMarker: number;
  audioPackets: number;
}

// Opus's native rate, and the RTP clock rate of the audio stream.
export const patternSampleRate = 48000;
// 20 ms per Opus packet, the WebRTC default ptime.
export const patternAudioFrameSamples = 960;
// Keeps the highest beep frequency (see beep-tone.ts) far below Opus's 20 kHz band edge.
const maxLoopMarkers = 32;
// The frame code has 12 bits of index.
const maxLoopFrames = 4096;
// The probe wants this much silence before a beep to trust its onset.
const minSilenceMs = 100;

// Callers pass only what they change; every other knob has one agreed default.
export const defaultPatternOptions: PatternOptions = Object.freeze({
  fps: 30,
  width: 320,
  height: 180,
  markerPeriodS: 1,
  loopMarkers: 8,
  beepMs: 100,
  contentOffsetMs: 0,
  allKeyframes: false,
  videoCodec: "vp8",
  videoBitrateBps: null,
  mediaFile: null,
  leadInS: 0.5,
});

// Fills defaults and rejects options the encoder or the probe cannot honour, quoting the bad value.
export function resolvePatternOptions(opts: Partial<PatternOptions> = {}): PatternOptions {
  const options = { ...defaultPatternOptions, ...opts };
  const fail = (what: string, value: unknown): never => {
    throw new RangeError(`Expected pattern option ${what}, got \`${String(value)}\`.`);
  };
  if (!Number.isInteger(options.fps) || options.fps <= 0) fail("`fps` to be a positive integer", options.fps);
  if (!Number.isInteger(options.width) || options.width < 256 || options.width > 3840 || options.width % 16 !== 0) {
    fail("`width` to be a multiple of 16 between 256 and 3840", options.width);
  }
  if (!Number.isInteger(options.height) || options.height < 96 || options.height > 2160 || options.height % 2 !== 0) {
    fail("`height` to be even and between 96 and 2160", options.height);
  }
  if (!(options.markerPeriodS > 0)) fail("`markerPeriodS` to be positive", options.markerPeriodS);
  if (!isWhole(options.markerPeriodS * options.fps)) {
    fail("`markerPeriodS` to hold a whole number of video frames", options.markerPeriodS);
  }
  if (!isWhole((options.markerPeriodS * patternSampleRate) / patternAudioFrameSamples)) {
    fail("`markerPeriodS` to hold a whole number of 20 ms audio frames", options.markerPeriodS);
  }
  if (!Number.isInteger(options.loopMarkers) || options.loopMarkers < 1 || options.loopMarkers > maxLoopMarkers) {
    fail(`\`loopMarkers\` to be an integer in 1..${maxLoopMarkers}`, options.loopMarkers);
  }
  if (Math.round(options.loopMarkers * options.markerPeriodS * options.fps) > maxLoopFrames) {
    fail(`the loop to hold at most ${maxLoopFrames} frames (loopMarkers * markerPeriodS * fps)`, options.loopMarkers);
  }
  if (!(options.beepMs >= 20) || options.beepMs > options.markerPeriodS * 1000 - minSilenceMs) {
    fail(`\`beepMs\` to be at least 20 and leave ${minSilenceMs} ms of silence per period`, options.beepMs);
  }
  if (!Number.isFinite(options.contentOffsetMs)) fail("`contentOffsetMs` to be a finite number", options.contentOffsetMs);
  if (typeof options.allKeyframes !== "boolean") fail("`allKeyframes` to be a boolean", options.allKeyframes);
  if (!videoCodecNames.includes(options.videoCodec)) fail(`\`videoCodec\` to be one of ${videoCodecNames.join(", ")}`, options.videoCodec);
  if (options.mediaFile !== null && (typeof options.mediaFile !== "string" || options.mediaFile === "" || options.leadInS !== 0)) {
    fail("`mediaFile` to be a path (with `leadInS` 0: a clip plays from its start)", options.mediaFile);
  }
  if (options.videoBitrateBps !== null && !(Number.isFinite(options.videoBitrateBps) && options.videoBitrateBps >= 50_000)) {
    fail("`videoBitrateBps` to be at least 50000 (or null for the default)", options.videoBitrateBps);
  }
  if (
    !(options.leadInS >= 0) ||
    options.leadInS >= options.loopMarkers * options.markerPeriodS ||
    !isWhole(options.leadInS * options.fps) ||
    !isWhole((options.leadInS * patternSampleRate) / patternAudioFrameSamples)
  ) {
    fail("`leadInS` to be a whole number of video frames and of 20 ms audio frames, shorter than the loop", options.leadInS);
  }
  return options;
}

// Derives the loop's frame, sample and packet counts once so nobody re-does the rounding.
export function measurePatternLoop(options: PatternOptions): PatternLoop {
  const framesPerMarker = Math.round(options.markerPeriodS * options.fps);
  const samplesPerMarker = Math.round(options.markerPeriodS * patternSampleRate);
  const loopSamples = samplesPerMarker * options.loopMarkers;
  return {
    loopFrames: framesPerMarker * options.loopMarkers,
    framesPerMarker,
    loopSamples,
    samplesPerMarker,
    audioPackets: loopSamples / patternAudioFrameSamples,
  };
}

function isWhole(value: number): boolean {
  return Math.abs(value - Math.round(value)) < 1e-9;
}
