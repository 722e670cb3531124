import { Flags } from "@oclif/core";
import { frameListFlag } from "./flag-kinds.js";
import { parseBitrate, parseNumberFlag, parseVideoSize } from "./parse-values.js";

// Larger offsets would push a beep next to the neighbouring flash of the same marker code.
const maxInjectedOffsetMs = 2000;
const offsetMsFlag = Flags.custom<number>({
  default: 0,
  defaultHelp: async () => "0",
  parse: async (input, _context, flag) => parseNumberFlag(input, flag.name, { min: -maxInjectedOffsetMs, max: maxInjectedOffsetMs }),
});

// Flags that describe what the pusher sends; `bench` and `serve` both take them so a browser
// watching `serve` sees exactly what `bench` measures.
export const pusherFlags = {
  pusher: Flags.option({
    options: ["paced", "seed"] as const,
    default: "paced" as const,
    description:
      "How the pusher paces media. `paced` stamps timestamps from the schedule and never drops; `seed` reproduces the original design (video PTS stamped when pulled, bounded audio queue, polling) so you can see what it costs.",
  })(),
  fps: Flags.integer({
    min: 1,
    max: 120,
    description:
      "Video frame rate of the test pattern (default 30); must divide the 90 kHz RTP clock evenly (30, 25, 24, 60 …). With --target it fixes the frame rate the video's timestamps are checked against; without it, that comes from the stream's own RTP steps.",
  }),
  "video-codec": Flags.option({
    options: ["vp8", "h264", "vp9", "av1"] as const,
    description:
      "Video codec the pusher sends (default vp8; h264, vp9 and av1 are encoded once by Debian's ffmpeg and cached). With --target: the only one the probe offers (default: it offers VP8, H.264, VP9 and AV1 and reports which the server chose).",
  })(),
  "video-size": Flags.custom<{ width: number; height: number }>({
    parse: async (input) => parseVideoSize(input),
    default: { width: 320, height: 180 },
    defaultHelp: async () => "320x180",
    description: "Picture size the pusher sends, WxH (width a multiple of 16, up to 3840x2160), e.g. 1280x720 or 1920x1080; small by default so runs start fast.",
  })(),
  media: Flags.string({
    description:
      "Push your own clip instead of the test pattern: any file Debian's ffmpeg reads, decoded and re-encoded once (in --video-codec at --video-size and --fps) before the run, then looped. It is measured like any stream: its markers if it has a beep/flash clip's, transport and continuity always.",
  }),
  "video-bitrate": Flags.custom<number>({
    parse: async (input) => parseBitrate(input),
    description: "Video bitrate the pusher encodes at, in bit/s with an optional k or M (e.g. 4M); default 0.3 bits per pixel per frame.",
  })(),
  "marker-period": Flags.custom<number>({
    parse: async (input) => parseNumberFlag(input, "marker-period", { min: 0.2, max: 60 }),
    default: 1,
    description: "Seconds between two markers (a white flash and a beep).",
  })(),
  "content-offset-ms": offsetMsFlag({
    description:
      "Inject a content error: place the beep N ms away from its flash in the media itself (positive = audio leads). Every content method must read N.",
  }),
  "schedule-offset-ms": offsetMsFlag({
    description: "Inject a schedule error: send audio N ms off its schedule with honest timestamps (-80 sends it 80 ms late).",
  }),
  "timestamp-offset-ms": offsetMsFlag({
    description: "Inject a timestamp error: audio RTP timestamps lie by N ms against the Sender Reports (a sender clock misalignment).",
  }),
  "drop-video-frames": frameListFlag({
    description: "Video frame indexes the pusher skips, e.g. `30,31,32` or `100-104`.",
  }),
  "drop-audio-frames": frameListFlag({
    description: "Audio frame (20 ms) indexes the pusher skips, e.g. `100-104`.",
  }),
};
