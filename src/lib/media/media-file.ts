import { spawn } from "node:child_process";
import { once } from "node:events";
import { FfmpegMissingError, ffmpegPath } from "./ffmpeg-video-decoder.js";
import { readEncodedFrames, encoderArgsFor } from "./ffmpeg-video-encoder.js";
import { encodeOpusLoop } from "./opus-encode.js";
import { patternAudioFrameSamples, patternSampleRate, type PatternOptions } from "./pattern-options.js";
import type { EncodedPattern } from "./test-pattern.js";

// Clips shorter than this cannot hold Opus's priming frames and one marker period.
const minClipS = 1;
// 0.3 bits per pixel per frame, as for the pattern: a real clip's texture takes what it needs.
const bitsPerPixelPerFrame = 0.3;

/**
 * The user's clip as a loop the pusher plays like the pattern: video scaled to the asked size and
 * frame rate and encoded in the asked codec, audio mixed to mono 48 kHz and encoded with Opus,
 * both cut to the same whole number of 20 ms audio frames and video frames.
 */
export async function encodeMediaFile(options: PatternOptions): Promise<EncodedPattern> {
  const file = options.mediaFile!;
  const pcm = new Float32Array((await runFfmpeg(["-i", file, "-vn", "-ac", "1", "-ar", String(patternSampleRate), "-f", "f32le", "pipe:1"], file)).buffer.slice(0));
  // The loop is as long as the shorter track, in steps that hold whole frames of both.
  const stepS = commonStepS(options.fps, patternAudioFrameSamples, patternSampleRate);
  const videoFramesMax = Math.floor((await probeDurationS(file)) * options.fps);
  const loopS = Math.floor(Math.min(pcm.length / patternSampleRate, videoFramesMax / options.fps) / stepS + 1e-9) * stepS;
  if (!(loopS >= minClipS)) throw new Error(`\`${file}\` holds ${(pcm.length / patternSampleRate).toFixed(2)} s of audio and ${videoFramesMax} video frames; --media needs at least ${minClipS} s of both.`);
  const videoFrames = Math.round(loopS * options.fps);
  const audio = encodeOpusLoop(pcm.subarray(0, Math.round(loopS * patternSampleRate)));
  const bitrate = options.videoBitrateBps ?? Math.round(bitsPerPixelPerFrame * options.width * options.height * options.fps);
  const encoded = await runFfmpeg(
    ["-i", file, "-an", "-vf", `scale=${options.width}:${options.height},fps=${options.fps},format=yuv420p`, "-frames:v", String(videoFrames),
      "-b:v", String(bitrate), "-g", String(options.fps), "-force_key_frames", `expr:eq(mod(n,${options.fps}),0)`, ...encoderArgsFor(options.videoCodec), "pipe:1"],
    file,
  );
  const video = readEncodedFrames(options.videoCodec, encoded).map((data, i) => ({ data, keyframe: i % options.fps === 0 }));
  if (video.length !== videoFrames) throw new Error(`ffmpeg made ${video.length} video frames of \`${file}\`, expected ${videoFrames}.`);
  return { options, sampleRate: 48000, channels: 1, audioFrameSamples: 960, video, audio };
}

// Seconds that hold a whole number of both periods (1/fps and 20 ms), e.g. 0.1 s at 30 fps.
/**
 * The shortest time that holds whole video frames (1/fps s) and whole audio frames (samples/rate s),
 * in exact integers: with fractions 1/fps and samples/rate = p/q (reduced), it is lcm(1, p)·… over
 * gcd(fps, q) — for 30 fps and 960/48000 = 1/50, 1/gcd(30, 50) = 0.1 s. (Rounded microseconds made
 * 1/30 s 33,333 µs, and the "common step" 666.66 s: every --media clip at 30 fps was refused.)
 */
export function commonStepS(fps: number, audioFrameSamples: number, sampleRate: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  const g = gcd(audioFrameSamples, sampleRate);
  const [p, q] = [audioFrameSamples / g, sampleRate / g];
  // lcm(1/fps, p/q) = lcm(1, p) / gcd(fps, q) = p / gcd(fps, q)
  return p / gcd(fps, q);
}

async function probeDurationS(file: string): Promise<number> {
  // ffmpeg prints "Duration: 00:00:06.00" for any container it reads; counting frames needs a decode.
  const out = await runFfmpeg(["-i", file, "-map", "0:v:0", "-c", "copy", "-f", "null", "-"], file, true);
  const stats = /time=(\d+):(\d+):(\d+(?:\.\d+)?)/g;
  let last: RegExpExecArray | null = null;
  for (let m = stats.exec(out.toString()); m; m = stats.exec(out.toString())) last = m;
  if (!last) throw new Error(`\`${file}\` has no video stream ffmpeg can read.`);
  return Number(last[1]) * 3600 + Number(last[2]) * 60 + Number(last[3]);
}

// Runs ffmpeg on the user's file; returns stdout (or stderr when asked), or one line saying what went wrong.
async function runFfmpeg(args: string[], file: string, wantStderr = false): Promise<Buffer> {
  const child = spawn(ffmpegPath(), ["-hide_banner", "-nostdin", "-loglevel", wantStderr ? "info" : "error", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new FfmpegMissingError(`--media needs Debian's ffmpeg: \`${ffmpegPath()}\` was not found`, { cause: error }) : error),
    );
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout!.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
  const [code] = (await once(child, "close")) as [number | null];
  const stderr = Buffer.concat(err);
  if (code !== 0) throw new Error(`ffmpeg could not read \`${file}\`: ${stderr.toString().trim().split("\n").at(-1) ?? `exit ${code}`}`);
  return wantStderr ? stderr : Buffer.concat(out);
}
