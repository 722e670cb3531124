import { Flags } from "@oclif/core";

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
      "Video codec. With --target: the only one the probe offers (default: it offers VP8, H.264, VP9 and AV1 and reports which the server chose). The embedded target sends VP8.",
  })(),
  "marker-period": Flags.string({
    default: "1",
    description: "Seconds between two markers (a white flash and a beep).",
  }),
  "content-offset-ms": Flags.string({
    default: "0",
    description:
      "Inject a content error: place the beep N ms away from its flash in the media itself (positive = audio leads). Every content method must read N.",
  }),
  "schedule-offset-ms": Flags.string({
    default: "0",
    description: "Inject a schedule error: send audio N ms off its schedule with honest timestamps (-80 sends it 80 ms late).",
  }),
  "timestamp-offset-ms": Flags.string({
    default: "0",
    description: "Inject a timestamp error: audio RTP timestamps lie by N ms against the Sender Reports (a sender clock misalignment).",
  }),
  "drop-video-frames": Flags.string({
    default: "",
    description: "Video frame indexes the pusher skips, e.g. `30,31,32` or `100-104`.",
  }),
  "drop-audio-frames": Flags.string({
    default: "",
    description: "Audio frame (20 ms) indexes the pusher skips, e.g. `100-104`.",
  }),
};
