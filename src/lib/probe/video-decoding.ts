import { FfmpegMissingError, VideoMarkerReader, decodeWithFfmpeg, videoCodecLabel as codecLabel, type VideoMarkerReading } from "../media/index.js";
import { loopYielder } from "./loop-yield.js";
import { videoCodecNameOf, videoCodecNames, type VideoCodecName } from "../rtc/index.js";
import type { RecordedPacket } from "./recording.js";
import { h264ParameterSetsOf, type StreamCodec } from "./stream-codec.js";
import { assembleVideoFrames, type AssembledFrame } from "./video-frames.js";

/** How the probe decoded a video stream, so "no markers" can never hide "nothing decoded". */
export interface VideoDecoding {
  /** `libav.js libvpx` (VP8, in-process WASM) or `ffmpeg` (H.264, VP9, AV1: Debian's libavcodec/libdav1d); null when not decoded. */
  decoder: string | null;
  /** Frames (distinct RTP timestamps) that arrived. */
  frames: number;
  /** Of those, frames whose every packet arrived: what the decoder is given. */
  completeFrames: number;
  /** Pictures the decoder returned. */
  pictures: number;
  /** Picture sizes seen, in order, as "WxH" (a change mid-stream lists both). */
  sizes: string[];
  /** Why no picture came out of a stream that carried frames; null when pictures came out (or decoding was not asked for). */
  failure: string | null;
}

export type TimedAssembledFrame = AssembledFrame & { extendedTs: number };

/** Every frame of the stream (for timing) and what each decoded picture read, tied to its frame. */
export interface DecodedVideo {
  frames: TimedAssembledFrame[];
  readings: Array<{ frame: TimedAssembledFrame; reading: VideoMarkerReading }>;
  decoding: VideoDecoding;
}

const supported = videoCodecNames.map(codecLabel).join(", ");

/**
 * Puts a video stream's frames back together and decodes the complete ones in sending order:
 * VP8 in-process with libav.js, the other codecs with one ffmpeg process. `decode` false
 * (`--content none`) only assembles the frames.
 */
export async function decodeVideo(
  packets: readonly RecordedPacket[],
  extendedTs: Map<RecordedPacket, number>,
  codec: StreamCodec,
  decode: boolean,
): Promise<DecodedVideo> {
  const name = codec.codec === null ? null : videoCodecNameOf(`video/${codec.codec}`);
  const extendedOf = new Map(packets.map((p) => [p.rtpTs, extendedTs.get(p)!]));
  const frames = assembleVideoFrames(packets, name, { h264ParameterSets: h264ParameterSetsOf(codec.fmtp) })
    .map((frame) => ({ ...frame, extendedTs: extendedOf.get(frame.rtpTs)! }))
    .sort((a, b) => a.firstSeq - b.firstSeq);
  const complete = frames.filter((f) => f.complete);
  const decoding: VideoDecoding = { decoder: null, frames: frames.length, completeFrames: complete.length, pictures: 0, sizes: [], failure: null };
  const readings: DecodedVideo["readings"] = [];
  if (!decode || frames.length === 0) return { frames, readings, decoding };
  if (name === null) {
    decoding.failure = `the server sent ${codec.codec ?? `payload type ${codec.payloadType}`}, which avsync does not decode (it decodes ${supported})`;
    return { frames, readings, decoding };
  }
  let errors: string[] = [];
  try {
    if (name === "vp8") {
      decoding.decoder = "libav.js libvpx";
      errors = await decodeVp8(complete, readings, decoding);
    } else {
      decoding.decoder = "ffmpeg";
      const run = await decodeWithFfmpeg(name, complete.map((f) => f.data), (index, reading) => readings.push({ frame: complete[index]!, reading }));
      decoding.sizes = run.sizes;
      errors = run.errors;
    }
  } catch (error) {
    if (!(error instanceof FfmpegMissingError)) throw error;
    decoding.failure = `${codecLabel(name)} needs Debian's ffmpeg, which is not installed (${error.message}); run scripts/setup.sh or apt-get install ffmpeg`;
    return { frames, readings, decoding };
  }
  decoding.pictures = readings.length;
  // Decoders hand pictures out in presentation order, which B-frames make differ from sending order.
  readings.sort((a, b) => a.frame.extendedTs - b.frame.extendedTs);
  if (readings.length === 0) decoding.failure = whyNothingDecoded(name, frames, complete, errors);
  return { frames, readings, decoding };
}

async function decodeVp8(frames: readonly TimedAssembledFrame[], readings: DecodedVideo["readings"], decoding: VideoDecoding): Promise<string[]> {
  const reader = new VideoMarkerReader();
  const yieldNow = loopYielder();
  try {
    for (const frame of frames) {
      await yieldNow();
      const reading = await reader.decode(frame.data);
      if (!reading) continue;
      readings.push({ frame, reading });
      const size = `${reading.width}x${reading.height}`;
      if (!decoding.sizes.includes(size)) decoding.sizes.push(size);
    }
  } finally {
    await reader.close();
  }
  return [];
}

function whyNothingDecoded(name: VideoCodecName, frames: readonly AssembledFrame[], complete: readonly AssembledFrame[], errors: readonly string[]): string {
  if (complete.length === 0) return `none of the ${frames.length} frames arrived whole (packets lost or a payload format avsync misread)`;
  if (!complete.some((f) => f.keyframe)) {
    return `no keyframe arrived whole${name === "h264" ? " (or its SPS/PPS never came, in-band or in the SDP's sprop-parameter-sets)" : ""}, so no frame could be decoded`;
  }
  return errors.length ? `the ${codecLabel(name)} decoder rejected every frame: ${errors.join("; ")}` : `the ${codecLabel(name)} decoder returned no picture`;
}
