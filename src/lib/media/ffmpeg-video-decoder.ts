import { spawn } from "node:child_process";
import { once } from "node:events";
import { PictureReader, type VideoMarkerReading } from "./picture-reading.js";

/** Codecs handed to Debian's ffmpeg (libavcodec's h264, vp9 and libdav1d), by their IVF fourcc. */
const ivfFourcc = { vp8: "VP80", h264: "H264", vp9: "VP90", av1: "AV01" } as const;
export type FfmpegVideoCodec = keyof typeof ivfFourcc;

/** The ffmpeg binary avsync drives; AVSYNC_FFMPEG points elsewhere (tests, other installs). */
export function ffmpegPath(): string {
  return process.env.AVSYNC_FFMPEG ?? "ffmpeg";
}

/** What one ffmpeg decoding run did. */
export interface FfmpegDecodeRun {
  pictures: number;
  /** Distinct error lines ffmpeg printed (missing references, corrupt data …), first ones first. */
  errors: string[];
  /** Every picture size seen, in order of first appearance, as "WxH". */
  sizes: string[];
}

/** ffmpeg is not installed (or AVSYNC_FFMPEG points nowhere): the stream cannot be decoded here. */
export class FfmpegMissingError extends Error {}

const maxErrorsKept = 5;

/**
 * Decodes a stream's frames with one ffmpeg process: frames go in as an IVF file on stdin whose
 * pts is each frame's index, pictures come out as raw luma on stdout, and `showinfo` on stderr
 * names each picture's pts and size, so every picture is tied back to the frame (and RTP
 * timestamp) it came from even when the decoder drops or reorders frames.
 * After a mid-stream size change ffmpeg scales output back to the first size; `sizes` still
 * tells the real ones, and brightness readings do not care.
 */
export async function decodeWithFfmpeg(
  codec: FfmpegVideoCodec,
  frames: readonly Buffer[],
  onPicture: (frameIndex: number, reading: VideoMarkerReading) => void,
): Promise<FfmpegDecodeRun> {
  const child = spawn(
    ffmpegPath(),
    ["-hide_banner", "-nostdin", "-loglevel", "level+info", "-f", "ivf", "-i", "pipe:0", "-an",
      "-vf", "format=yuv420p,showinfo=checksum=0,extractplanes=y", "-fps_mode", "passthrough", "-f", "rawvideo", "pipe:1"],
    { stdio: ["pipe", "pipe", "pipe"] },
  );
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "ENOENT" ? new FfmpegMissingError(`\`${ffmpegPath()}\` was not found`, { cause: error }) : error),
    );
  });
  await spawned;
  const reader = new PictureReader();
  const run: FfmpegDecodeRun = { pictures: 0, errors: [], sizes: [] };
  const pending: Array<{ frameIndex: number }> = [];
  let outputSize: { width: number; height: number } | undefined;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  let stderrTail = "";

  const deliver = (): void => {
    while (pending.length && outputSize) {
      const bytes = outputSize.width * outputSize.height;
      if (bufferedBytes < bytes) return;
      const all = buffered.length === 1 ? buffered[0]! : Buffer.concat(buffered);
      const { frameIndex } = pending.shift()!;
      onPicture(frameIndex, reader.read({ luma: all.subarray(0, bytes), offset: 0, stride: outputSize.width, ...outputSize }));
      run.pictures++;
      buffered = all.length > bytes ? [all.subarray(bytes)] : [];
      bufferedBytes -= bytes;
    }
  };
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered.push(chunk);
    bufferedBytes += chunk.length;
    deliver();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    const lines = (stderrTail + chunk.toString("latin1")).split("\n");
    stderrTail = lines.pop()!;
    for (const line of lines) readLogLine(line);
    deliver();
  });
  function readLogLine(line: string): void {
    const info = /Parsed_showinfo.* n: *\d+ pts: *(-?\d+) .* s:(\d+)x(\d+)/.exec(line);
    if (info) {
      const size = `${info[2]}x${info[3]}`;
      if (!run.sizes.includes(size)) run.sizes.push(size);
      outputSize ??= { width: Number(info[2]), height: Number(info[3]) };
      pending.push({ frameIndex: Number(info[1]) });
      return;
    }
    const error = /^\[(?:error|fatal)\] (?:\[[^\]]+\] )?(.*)$/.exec(line.trim());
    if (error && run.errors.length < maxErrorsKept && !run.errors.includes(error[1]!)) run.errors.push(error[1]!);
  }

  const exited = once(child, "close");
  // A decoder that gives up early closes stdin; what it printed says why.
  child.stdin!.on("error", () => undefined);
  await writeIvf(child.stdin!, ivfFourcc[codec], frames);
  await exited;
  if (stderrTail) readLogLine(stderrTail);
  deliver();
  return run;
}

// IVF (libvpx's container): a 32-byte file header, then per frame a 12-byte header (size, pts).
async function writeIvf(stdin: NodeJS.WritableStream, fourcc: string, frames: readonly Buffer[]): Promise<void> {
  const header = Buffer.alloc(32);
  header.write("DKIF", 0, "latin1");
  header.writeUInt16LE(0, 4);
  header.writeUInt16LE(32, 6);
  header.write(fourcc, 8, "latin1");
  // Width and height stay 0: every decoder here reads them from the bitstream.
  header.writeUInt32LE(1000, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(frames.length, 24);
  // Waits for room (or for a decoder that gave up); both listeners go, so long streams leave none behind.
  const write = async (chunk: Buffer): Promise<void> => {
    if (stdin.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        stdin.removeListener("drain", done);
        stdin.removeListener("close", done);
        resolve();
      };
      stdin.on("drain", done);
      stdin.on("close", done);
    });
  };
  await write(header);
  for (let i = 0; i < frames.length; i++) {
    const frameHeader = Buffer.alloc(12);
    frameHeader.writeUInt32LE(frames[i]!.length, 0);
    frameHeader.writeBigUInt64LE(BigInt(i), 4);
    await write(Buffer.concat([frameHeader, frames[i]!]));
  }
  stdin.end();
}
