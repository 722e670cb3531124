import { synthesizePatternAudio } from "./beep-tone.js";
import { encodeOpusLoop } from "./opus-encode.js";
import { hashPatternOptions, readCachedPattern, writeCachedPattern } from "./pattern-cache.js";
import { renderPatternFrame } from "./pattern-frame.js";
import { measurePatternLoop, resolvePatternOptions, type PatternOptions } from "./pattern-options.js";
import { encodeVp8Frames, type EncodedVideoFrame, type VideoEncodeOptions } from "./vp8-encode.js";
import { encodeWithFfmpeg } from "./ffmpeg-video-encoder.js";
import { encodeMediaFile } from "./media-file.js";

// One loop of the pattern, ready to packetize: content frame i is video[i], 20 ms chunk j is audio[j].
export interface EncodedPattern {
  options: PatternOptions;
  sampleRate: 48000;
  channels: 1;
  audioFrameSamples: 960;
  video: EncodedVideoFrame[];
  audio: Buffer[];
}

// ~520 kb/s at 320x180@30: ample for flat blocks (libvpx spends ~30 kb/s here), so rate control never blurs the code strip.
const videoBitsPerPixelPerFrame = 0.3;

const inFlight = new Map<string, Promise<EncodedPattern>>();

// Gives every sender the same encoded loop, from memory, from disk, or by encoding once (~1 s).
export async function encodeTestPattern(opts: Partial<PatternOptions> = {}): Promise<EncodedPattern> {
  const options = resolvePatternOptions(opts);
  const key = hashPatternOptions(options);
  let pending = inFlight.get(key);
  if (!pending) {
    pending = loadOrEncode(options);
    pending.catch(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function loadOrEncode(options: PatternOptions): Promise<EncodedPattern> {
  // A user's clip is read afresh each run (it may have changed); only the pattern is cached on disk.
  if (options.mediaFile !== null) return encodeMediaFile(options);
  const cached = await readCachedPattern(options);
  if (cached) return cached;
  const pattern = await encodePattern(options);
  // A read-only or full disk only costs the next run another encode; it must not stop this one.
  await writeCachedPattern(pattern).catch(() => undefined);
  return pattern;
}

async function encodePattern(options: PatternOptions): Promise<EncodedPattern> {
  const { loopFrames, audioPackets } = measurePatternLoop(options);
  const encode: VideoEncodeOptions = {
    width: options.width,
    height: options.height,
    fps: options.fps,
    keyframeInterval: options.allKeyframes ? 1 : options.fps,
    extraKeyframe: loopFrames - Math.round(options.leadInS * options.fps),
    bitrateBps: options.videoBitrateBps ?? Math.round(videoBitsPerPixelPerFrame * options.width * options.height * options.fps),
  };
  // VP8 needs nothing outside npm (libvpx in libav.js); the others are encoded by Debian's ffmpeg.
  const picture = (i: number) => renderPatternFrame(options, i);
  const video = options.videoCodec === "vp8" ? await encodeVp8Frames(loopFrames, picture, encode) : await encodeWithFfmpeg(options.videoCodec, loopFrames, picture, encode);
  if (!video[0]!.keyframe) throw new Error(`The ${options.videoCodec} encoder did not start the loop with a keyframe.`);
  const audio = encodeOpusLoop(synthesizePatternAudio(options));
  if (audio.length !== audioPackets) throw new Error(`Expected ${audioPackets} Opus packets, got ${audio.length}.`);
  return { options, sampleRate: 48000, channels: 1, audioFrameSamples: 960, video, audio };
}
