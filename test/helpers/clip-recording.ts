import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Av1Packetizer, H264Packetizer, OpusPacketizer, Vp8Packetizer, Vp9Packetizer, type RtpPacket } from "werift";
import { opusLookaheadSamples } from "../../src/lib/media/index.js";
import type { ProbeRecording, RecordedPacket, RecordedSenderReport, StreamRecording } from "../../src/lib/probe/index.js";
import type { VideoCodecName } from "../../src/lib/rtc/index.js";
import type { SyncClip } from "./sync-clip.js";

// A clip encoded by Debian's ffmpeg (libvpx, libx264, libvpx-vp9, libaom/libsvtav1, libopus) and
// put into RTP packets as a sender would, with exact Sender Reports and arrival times: the truth
// of every figure is the clip's own, and no network or scheduling noise enters. What WebRTC adds
// is covered by the senders of test/interop/.

const cacheDir = fileURLToPath(new URL("../../.cache/clip-streams/", import.meta.url));

const encoders: Record<VideoCodecName, string[]> = {
  vp8: ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2M", "-f", "ivf"],
  // aud=1 opens every access unit with a delimiter NAL, which is where the stream is split.
  h264: ["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-profile:v", "baseline", "-b:v", "2M", "-x264-params", "aud=1", "-bsf:v", "h264_mp4toannexb", "-f", "h264"],
  vp9: ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-row-mt", "1", "-b:v", "2M", "-f", "ivf"],
  av1: ["-c:v", "libsvtav1", "-preset", "12", "-b:v", "2M", "-f", "ivf"],
};

/** Encoded frames in decoding order, each with its presentation index. */
interface EncodedStream {
  video: Buffer[];
  audio: Buffer[];
}

export interface ClipRecordingOptions {
  codec: VideoCodecName;
  /** Packets of the stream a server would have answered with, if it sends SPS/PPS out of band (H.264). */
  payloadTypes?: { audio: number; video: number };
  /** Arrival = sender time + this (ms). */
  transitMs?: number;
  /** Scales the RTP clocks (ppm, positive = fast) while SRs and arrivals keep real time. */
  clockPpm?: number;
  /** Re-encode with this keyframe interval (frames); default one second. */
  gop?: number;
  /**
   * H.264 only: `mode0` sends one NAL unit per packet (packetization-mode 0; slices kept under
   * the MTU by the encoder), `sdp-parameter-sets` drops SPS/PPS from the stream and puts them in
   * the answer's sprop-parameter-sets, `no-parameter-sets` drops them altogether.
   */
  h264?: "mode0" | "sdp-parameter-sets" | "no-parameter-sets";
  /**
   * What the Opus RTP timestamps name: `encoder-input` (default; libwebrtc, aiortc, avsync: packet k
   * at k × 960), or `presentation` (GStreamer's opusenc: the encoder's 312-sample lookahead taken
   * off the first packet, so packet k ≥ 1 sits at k × 960 − 312).
   */
  opusTimestamps?: "encoder-input" | "presentation";
}

/**
 * The clip as a probe recording: every frame and Opus packet of it, its SRs each second. Several
 * clips (of one frame rate) play one after another, as a server that changes resolution would.
 */
export function recordingFromClip(clips: SyncClip | SyncClip[], opts: ClipRecordingOptions): ProbeRecording {
  const all = Array.isArray(clips) ? clips : [clips];
  const clip = all[0]!;
  const parts = all.map((c) => encodeClip(c, opts.codec, opts.gop ?? c.spec.fps, opts.h264 === "mode0"));
  // libopus flushes its 312-sample delay into one packet more than the clip holds; one clip
  // following another starts at its own first packet, so each is cut to its length.
  const stream = {
    video: parts.flatMap((p, i) => p.video.slice(0, Math.round(all[i]!.spec.durationS * all[i]!.spec.fps))),
    audio: parts.flatMap((p, i) => p.audio.slice(0, Math.round(all[i]!.spec.durationS * 50))),
  };
  const transitMs = opts.transitMs ?? 20;
  const scale = 1 + (opts.clockPpm ?? 0) / 1e6;
  const t0 = 1_700_000_000_000;
  const videoBase = 123_456;
  const audioBase = 4_000_000_000;
  const pt = opts.payloadTypes ?? { audio: 111, video: 96 };
  const videoPacketizer = opts.h264 ? h264PacketizerFor(opts.h264) : packetizerFor(opts.codec);
  const fmtp = opts.codec !== "h264" ? undefined : h264Fmtp(opts.h264, parts.flatMap((p) => p.video));
  const videoPackets: RecordedPacket[] = [];
  const audioPackets: RecordedPacket[] = [];
  const video: StreamRecording = {
    ssrc: 1,
    codecs: [{ payloadType: pt.video, mimeType: `video/${opts.codec === "h264" ? "H264" : opts.codec.toUpperCase()}`, clockRateHz: 90_000, ...(fmtp ? { fmtp } : {}) }],
    packets: videoPackets,
    senderReports: [],
  };
  const audio: StreamRecording = { ssrc: 2, codecs: [{ payloadType: pt.audio, mimeType: "audio/opus", clockRateHz: 48_000, channels: 2 }], packets: audioPackets, senderReports: [] };
  let seq = 65_000;
  stream.video.forEach((frame, i) => {
    const senderMs = (i * 1000) / clip.spec.fps;
    const rtpTs = (videoBase + Math.round(i * (90_000 / clip.spec.fps) * scale)) >>> 0;
    for (const packet of videoPacketizer(frame, rtpTs)) {
      videoPackets.push(recorded(packet, (seq++ & 0xffff), rtpTs, pt.video, t0 + senderMs + transitMs));
    }
  });
  const opus = new OpusPacketizer();
  stream.audio.forEach((frame, k) => {
    const senderMs = k * 20;
    const trimmed = opts.opusTimestamps === "presentation" && k > 0 ? opusLookaheadSamples : 0;
    const rtpTs = (audioBase + Math.round((k * 960 - trimmed) * scale)) >>> 0;
    for (const packet of opus.packetize(frame, rtpTs)) audioPackets.push(recorded(packet, k & 0xffff, rtpTs, pt.audio, t0 + senderMs + transitMs));
  });
  const durationMs = (stream.video.length * 1000) / clip.spec.fps;
  for (let s = 0; s * 1000 < durationMs; s++) {
    video.senderReports.push(senderReport(t0 + s * 1000, videoBase + s * 90_000 * scale, transitMs));
    audio.senderReports.push(senderReport(t0 + s * 1000, audioBase + s * 48_000 * scale, transitMs));
  }
  return { startedAtMs: t0 - 500, connectedAtMs: t0 - 100, endedAtMs: t0 + durationMs + 200, sessionId: null, audio, video };
}

function recorded(packet: RtpPacket, seq: number, rtpTs: number, payloadType: number, arrivalMs: number): RecordedPacket {
  return { seq, rtpTs, marker: packet.header.marker, arrivalMs, payload: packet.payload, payloadType };
}

function senderReport(ntpMs: number, rtpTicks: number, transitMs: number): RecordedSenderReport {
  return { ntpMs, rtpTs: Math.round(rtpTicks) % 2 ** 32, arrivalMs: ntpMs + transitMs, packetCount: 0 };
}

function packetizerFor(codec: VideoCodecName): (frame: Buffer, rtpTs: number) => RtpPacket[] {
  const options = { maxPayloadSize: 1200 };
  const packetizer =
    codec === "vp8" ? new Vp8Packetizer(options) : codec === "h264" ? new H264Packetizer(options) : codec === "vp9" ? new Vp9Packetizer(options) : new Av1Packetizer(options);
  return (frame, rtpTs) => packetizer.packetize(frame, rtpTs) as RtpPacket[];
}

const nalType = (nal: Buffer): number => nal[0]! & 0x1f;
const isParameterSet = (nal: Buffer): boolean => nalType(nal) === 7 || nalType(nal) === 8;

function h264Fmtp(variant: ClipRecordingOptions["h264"], frames: readonly Buffer[]): string {
  const mode = variant === "mode0" ? 0 : 1;
  if (variant !== "sdp-parameter-sets") return `packetization-mode=${mode};profile-level-id=42e01f`;
  const sets = splitNals(frames.find((f) => splitNals(f).some(isParameterSet))!).filter(isParameterSet);
  return `packetization-mode=1;profile-level-id=42e01f;sprop-parameter-sets=${sets.map((s) => s.toString("base64")).join(",")}`;
}

// Mode 0 is one NAL unit per packet, hand-made since werift's packetizer always aggregates and
// fragments; the other variants only filter what werift's mode-1 packetizer is given.
function h264PacketizerFor(variant: NonNullable<ClipRecordingOptions["h264"]>): (frame: Buffer, rtpTs: number) => RtpPacket[] {
  const mode1 = packetizerFor("h264");
  const startCode = Buffer.from([0, 0, 0, 1]);
  return (frame, rtpTs) => {
    const nals = splitNals(frame).filter((nal) => variant === "mode0" || !isParameterSet(nal));
    if (variant !== "mode0") return mode1(Buffer.concat(nals.flatMap((nal) => [startCode, nal])), rtpTs);
    return nals.map((nal, i) => ({ header: { marker: i === nals.length - 1 }, payload: nal }) as RtpPacket);
  };
}

function splitNals(annexB: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 3 < annexB.length; i++) if (annexB[i] === 0 && annexB[i + 1] === 0 && annexB[i + 2] === 1) starts.push(i + 3);
  return starts.map((start, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]! - 3 : annexB.length;
    while (end > start && annexB[end - 1] === 0) end--;
    return annexB.subarray(start, end);
  });
}

// Encodes once per (clip, codec) and caches the elementary streams under .cache/clip-streams/.
function encodeClip(clip: SyncClip, codec: VideoCodecName, gop: number, smallSlices: boolean): EncodedStream {
  const key = createHash("sha1").update(JSON.stringify([clip.path, codec, gop, smallSlices])).digest("hex").slice(0, 12);
  const videoPath = join(cacheDir, `${key}.${codec === "h264" ? "h264" : "ivf"}`);
  const audioPath = join(cacheDir, `${key}.opus.ogg`);
  if (!existsSync(videoPath) || !existsSync(audioPath)) {
    mkdirSync(cacheDir, { recursive: true });
    const args = smallSlices ? encoders.h264.map((a) => (a === "aud=1" ? "aud=1:slice-max-size=1100" : a)) : encoders[codec];
    ffmpeg(["-i", clip.path, "-an", "-g", String(gop), "-bf", "0", ...args, `${videoPath}.partial`]);
    // 20 ms packets at 64 kb/s, application audio: what WebRTC senders use.
    ffmpeg(["-i", clip.path, "-vn", "-c:a", "libopus", "-b:a", "64k", "-frame_duration", "20", "-application", "audio", "-f", "ogg", `${audioPath}.partial`]);
    renameSync(`${videoPath}.partial`, videoPath);
    renameSync(`${audioPath}.partial`, audioPath);
  }
  const videoData = readFileSync(videoPath);
  return { video: codec === "h264" ? splitAccessUnits(videoData) : readIvf(videoData), audio: readOggPackets(readFileSync(audioPath)).slice(2) };
}

function ffmpeg(args: string[]): void {
  const run = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`ffmpeg ${args.join(" ")} failed: ${run.stderr}`);
}

// IVF: 32-byte file header, then per frame a 4-byte size, an 8-byte pts and the frame.
function readIvf(data: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  for (let offset = data.readUInt16LE(6); offset + 12 <= data.length; ) {
    const size = data.readUInt32LE(offset);
    frames.push(data.subarray(offset + 12, offset + 12 + size));
    offset += 12 + size;
  }
  return frames;
}

// Annex B split at each access unit delimiter (NAL type 9).
function splitAccessUnits(data: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let i = 0; i + 4 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 0 && data[i + 3] === 1 && (data[i + 4]! & 0x1f) === 9) starts.push(i);
  }
  return starts.map((start, k) => data.subarray(start, starts[k + 1] ?? data.length));
}

// Ogg (RFC 3533): pages of lacing segments; a segment of 255 bytes continues the packet.
function readOggPackets(data: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let partial: Buffer[] = [];
  for (let offset = 0; offset + 27 <= data.length; ) {
    if (data.toString("latin1", offset, offset + 4) !== "OggS") throw new Error("not an Ogg page");
    const segments = data[offset + 26]!;
    const table = data.subarray(offset + 27, offset + 27 + segments);
    let body = offset + 27 + segments;
    for (const size of table) {
      partial.push(data.subarray(body, body + size));
      body += size;
      if (size < 255) {
        packets.push(Buffer.concat(partial));
        partial = [];
      }
    }
    offset = body;
  }
  return packets;
}
