import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { PatternOptions } from "../media/index.js";
import { parseFrameList, type Injections, type PusherMode } from "../pusher/index.js";
import type { VideoCodecName } from "../rtc/index.js";
import { parseNumberFlag } from "./parse-values.js";

export interface PusherConfig {
  mode: PusherMode;
  pattern: Partial<PatternOptions>;
  injections: Injections;
  /** The frame rate the user asked for (--fps), if any: an external stream's video steps are then checked against it. */
  expectedFps?: number;
  /** --video-codec, if given. */
  videoCodec?: VideoCodecName;
}

// The test pattern's frame rate when --fps is not given.
const defaultFps = 30;

// Larger offsets would push a beep next to the neighbouring flash of the same marker code.
const maxInjectedOffsetMs = 2000;

/** Turns the shared pusher flags into validated options, quoting any bad value back. */
export function pusherConfigFromFlags(flags: {
  pusher: PusherMode;
  fps?: number;
  "video-codec"?: VideoCodecName;
  "video-size"?: string;
  "video-bitrate"?: string;
  media?: string;
  "marker-period": string;
  "content-offset-ms": string;
  "schedule-offset-ms": string;
  "timestamp-offset-ms": string;
  "drop-video-frames": string;
  "drop-audio-frames": string;
}): PusherConfig {
  const fps = flags.fps ?? defaultFps;
  if (90_000 % fps !== 0) {
    throw new Error(`Expected \`--fps\` to divide the 90 kHz RTP clock evenly (30, 25, 24, 60 …), got \`${fps}\`.`);
  }
  const offset = (name: "content-offset-ms" | "schedule-offset-ms" | "timestamp-offset-ms"): number =>
    parseNumberFlag(flags[name], name, { min: -maxInjectedOffsetMs, max: maxInjectedOffsetMs });
  const markerPeriodS = parseNumberFlag(flags["marker-period"], "marker-period", { min: 0.2, max: 60 });
  if (!Number.isInteger(Math.round(markerPeriodS * fps * 1e6) / 1e6)) {
    throw new Error(`Expected \`--marker-period\` to be a whole number of video frames at ${fps} fps, got \`${flags["marker-period"]}\`.`);
  }
  return {
    mode: flags.pusher,
    pattern: {
      fps,
      markerPeriodS,
      contentOffsetMs: offset("content-offset-ms"),
      ...parseVideoSize(flags["video-size"] ?? "320x180"),
      videoCodec: flags["video-codec"] ?? "vp8",
      videoBitrateBps: flags["video-bitrate"] === undefined ? null : parseBitrate(flags["video-bitrate"]),
      // A clip plays from its own start: no pattern lead-in.
      ...(flags.media === undefined ? {} : { mediaFile: checkMediaFile(flags.media), leadInS: 0 }),
    },
    injections: {
      scheduleOffsetMs: offset("schedule-offset-ms"),
      timestampOffsetMs: offset("timestamp-offset-ms"),
      dropVideoFrames: parseFrameList(flags["drop-video-frames"], "--drop-video-frames"),
      dropAudioFrames: parseFrameList(flags["drop-audio-frames"], "--drop-audio-frames"),
    },
    ...(flags.fps === undefined ? {} : { expectedFps: flags.fps }),
    ...(flags["video-codec"] === undefined ? {} : { videoCodec: flags["video-codec"] }),
  };
}

function checkMediaFile(path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`Expected \`--media\` to be a file, got \`${path}\` (not found).`);
  return resolve(path);
}

function parseVideoSize(value: string): { width: number; height: number } {
  const match = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(value);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width % 16 !== 0 || width < 256 || width > 3840 || height % 2 !== 0 || height < 96 || height > 2160) {
    throw new Error(`Expected \`--video-size\` to be WxH with a width that is a multiple of 16 (256–3840) and an even height (96–2160), e.g. 1280x720, got \`${value}\`.`);
  }
  return { width, height };
}

function parseBitrate(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(value);
  const bps = match ? Number(match[1]) * (match[2]?.toLowerCase() === "m" ? 1e6 : match[2] ? 1e3 : 1) : NaN;
  if (!(bps >= 50_000 && bps <= 100e6)) throw new Error(`Expected \`--video-bitrate\` to be between 50k and 100M bit/s, e.g. 4M, got \`${value}\`.`);
  return Math.round(bps);
}
