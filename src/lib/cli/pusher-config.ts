import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { PatternOptions } from "../media/index.js";
import type { Injections, PusherMode } from "../pusher/index.js";
import type { VideoCodecName } from "../rtc/index.js";

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

/**
 * Turns the shared pusher flags (each already parsed to its type by shared-flags.ts) into options,
 * checking what only holds between flags.
 */
export function pusherConfigFromFlags(flags: {
  pusher: PusherMode;
  fps?: number;
  "video-codec"?: VideoCodecName;
  "video-size": { width: number; height: number };
  "video-bitrate"?: number;
  media?: string;
  "marker-period": number;
  "content-offset-ms": number;
  "schedule-offset-ms": number;
  "timestamp-offset-ms": number;
  "drop-video-frames": readonly number[];
  "drop-audio-frames": readonly number[];
}): PusherConfig {
  const fps = flags.fps ?? defaultFps;
  if (90_000 % fps !== 0) {
    throw new Error(`Expected \`--fps\` to divide the 90 kHz RTP clock evenly (30, 25, 24, 60 …), got \`${fps}\`.`);
  }
  const markerPeriodS = flags["marker-period"];
  if (!Number.isInteger(Math.round(markerPeriodS * fps * 1e6) / 1e6)) {
    throw new Error(`Expected \`--marker-period\` to be a whole number of video frames at ${fps} fps, got \`${markerPeriodS}\`.`);
  }
  const injections: Injections = {
    contentOffsetMs: flags["content-offset-ms"],
    scheduleOffsetMs: flags["schedule-offset-ms"],
    timestampOffsetMs: flags["timestamp-offset-ms"],
    dropVideoFrames: flags["drop-video-frames"],
    dropAudioFrames: flags["drop-audio-frames"],
  };
  return {
    mode: flags.pusher,
    pattern: {
      fps,
      markerPeriodS,
      ...flags["video-size"],
      videoCodec: flags["video-codec"] ?? "vp8",
      videoBitrateBps: flags["video-bitrate"] ?? null,
      // A clip plays from its own start: no pattern lead-in.
      ...(flags.media === undefined ? {} : { mediaFile: checkMediaFile(flags.media), leadInS: 0 }),
    },
    injections,
    ...(flags.fps === undefined ? {} : { expectedFps: flags.fps }),
    ...(flags["video-codec"] === undefined ? {} : { videoCodec: flags["video-codec"] }),
  };
}

function checkMediaFile(path: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) throw new Error(`Expected \`--media\` to be a file, got \`${path}\` (not found).`);
  return resolve(path);
}
