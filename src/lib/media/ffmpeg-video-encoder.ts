import { spawn } from "node:child_process";
import { once } from "node:events";
import { FfmpegMissingError, ffmpegPath } from "./ffmpeg-video-decoder.js";
import type { I420Picture } from "./pattern-frame.js";
import type { VideoCodecName } from "./video-codecs.js";
import type { EncodedVideoFrame, VideoEncodeOptions } from "./vp8-encode.js";

export type FfmpegEncodedCodec = "h264" | "vp9" | "av1";

// Live-sender settings: no B-frames, no lookahead, one output frame per input picture in order.
// H.264 constrained baseline (what browsers and hardware encoders send over WebRTC) with an access
// unit delimiter opening every frame, where the Annex B stream is split.
const encoderArgs: Record<FfmpegEncodedCodec, string[]> = {
  h264: ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline", "-x264-params", "aud=1", "-forced-idr", "1", "-bf", "0", "-f", "h264"],
  vp9: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-lag-in-frames", "0", "-f", "ivf"],
  // libaom in its real-time mode, not SVT-AV1: Debian's ffmpeg 5.1 with SVT-AV1 1.4 ignores forced key
  // frames, so the loop's re-entry point (where every session starts) was an inter frame and a
  // viewer could decode nothing until the next GOP start (15 of 120 frames lost at 1080p).
  av1: ["-c:v", "libaom-av1", "-usage", "realtime", "-cpu-used", "8", "-row-mt", "1", "-lag-in-frames", "0", "-f", "ivf"],
};

/**
 * Encodes pictures with Debian's ffmpeg (libx264, libvpx-vp9, libaom): raw I420 in on stdin, one
 * frame per picture out on stdout, keyframes where VideoEncodeOptions puts them.
 */
export async function encodeWithFfmpeg(
  codec: FfmpegEncodedCodec,
  count: number,
  picture: (index: number) => I420Picture,
  options: VideoEncodeOptions,
): Promise<EncodedVideoFrame[]> {
  const keyframes = `expr:eq(mod(n,${options.keyframeInterval}),0)${options.extraKeyframe === undefined ? "" : `+eq(n,${options.extraKeyframe})`}`;
  const child = spawn(
    ffmpegPath(),
    ["-hide_banner", "-nostdin", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", `${options.width}x${options.height}`, "-r", String(options.fps), "-i", "pipe:0",
      "-b:v", String(options.bitrateBps), "-g", String(Math.max(options.keyframeInterval, 1)), "-force_key_frames", keyframes, ...encoderArgs[codec], "pipe:1"],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new FfmpegMissingError(`sending ${codec} needs Debian's ffmpeg: \`${ffmpegPath()}\` was not found`, { cause: error }) : error),
    );
  });
  const chunks: Buffer[] = [];
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => chunks.push(chunk));
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin!.on("error", () => undefined);
  const closed = once(child, "close");
  const stdinClosed = new Promise<void>((resolve) => child.stdin!.once("close", resolve));
  for (let i = 0; i < count && child.exitCode === null; i++) {
    const { data, layout } = picture(i);
    if (layout[0]!.stride !== options.width) throw new Error("encodeWithFfmpeg needs tightly packed I420 pictures");
    // An encoder that gives up closes its stdin; its own message says why, below.
    if (!child.stdin!.write(data)) await Promise.race([new Promise((resolve) => child.stdin!.once("drain", resolve)), stdinClosed]);
  }
  child.stdin!.end();
  const [code] = (await closed) as [number | null];
  if (code !== 0) throw new Error(`ffmpeg could not encode ${codec}: ${stderr.trim() || `exit ${code}`}`);
  const output = Buffer.concat(chunks);
  const frames = readEncodedFrames(codec, output);
  if (frames.length !== count) throw new Error(`ffmpeg returned ${frames.length} ${codec} frames for ${count} pictures; it must not drop or hold frames.`);
  return frames.map((data, i) => ({ data, keyframe: isKeyframe(codec, data, i, options) }));
}

/** ffmpeg's output flags for a codec: H.264 in Annex B cut at delimiters, the others in IVF. */
export function encoderArgsFor(codec: VideoCodecName): string[] {
  return codec === "vp8" ? vp8Args : encoderArgs[codec];
}

/** Splits what encoderArgsFor made into frames. */
export function readEncodedFrames(codec: VideoCodecName, output: Buffer): Buffer[] {
  return codec === "h264" ? splitAccessUnits(output) : readIvfFrames(output);
}

// VP8 from a user's file goes through ffmpeg's libvpx with the pattern's settings (vp8-encode.ts).
const vp8Args = ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-lag-in-frames", "0", "-auto-alt-ref", "0", "-drop-threshold", "0", "-f", "ivf"];

// The keyframe grid is forced, so where keyframes are is known; H.264 is checked for its IDR too.
function isKeyframe(codec: FfmpegEncodedCodec, data: Buffer, index: number, options: VideoEncodeOptions): boolean {
  const forced = index % options.keyframeInterval === 0 || index === options.extraKeyframe;
  if (codec !== "h264") return forced;
  for (let i = 0; i + 3 < data.length; i++) if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1 && (data[i + 3]! & 0x1f) === 5) return true;
  return false;
}

// Annex B cut at each access unit delimiter (NAL type 9), which aud=1 puts in front of every frame.
function splitAccessUnits(data: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 4 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 0 && data[i + 3] === 1 && (data[i + 4]! & 0x1f) === 9) starts.push(i);
  }
  return starts.map((start, k) => data.subarray(start, starts[k + 1] ?? data.length));
}

// IVF: a 32-byte file header, then per frame its 4-byte size, an 8-byte pts and the frame.
function readIvfFrames(data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = data.readUInt16LE(6); offset + 12 <= data.length; ) {
    const size = data.readUInt32LE(offset);
    frames.push(Buffer.from(data.subarray(offset + 12, offset + 12 + size)));
    offset += 12 + size;
  }
  return frames;
}
