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
    pattern: { fps, markerPeriodS, contentOffsetMs: offset("content-offset-ms") },
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
