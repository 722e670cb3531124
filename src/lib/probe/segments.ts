// A long run measured a segment at a time (`bench --segment`, issue 15): the recording is cut at a
// video keyframe, the part before the cut is measured as a recording of its own and its packets let go,
// so memory holds one segment, not the run. Audio overlaps the cut by a second either way, so a marker
// whose beep and flash fall either side of it still pairs: each flash lies in exactly one segment.
import type { VideoCodecName } from "../media/index.js";
import { videoCodecNameOf } from "../rtc/index.js";
import { PacketLog } from "./packet-log.js";
import type { ProbeRecording } from "./recording.js";
import { identifyStreamCodec } from "./stream-codec.js";
import { assembleVideoFrames } from "./video-frames.js";

/** Where the next segment of one session starts: packet indices of each stream's log. */
export interface SegmentStart {
  video: number;
  audio: number;
  /** Arrival of the segment's first video packet (null for the first segment: the recording's start); its audio starts a second before. */
  atMs: number | null;
}

// Audio kept either side of a cut: more than any offset a marker pairs across.
const audioOverlapMs = 1000;
// The video scanned back from the cut for a keyframe, a window at a time: ~2 s of a 30 fps stream in 2–3 packets a frame.
const keyframeSearchPackets = 200;
// More packets than one frame spans (a 1080p keyframe is ~100).
const frameSpanPackets = 300;

/** Whether a recording can be measured in segments: its packets are the probe's own logs. */
export function segmentable(recording: ProbeRecording): boolean {
  return recording.audio.packets instanceof PacketLog && recording.video.packets instanceof PacketLog;
}

/**
 * The segment from `start` to a cut at the latest video keyframe that arrived by `notAfterMs`, as a
 * recording of its own, and where the next segment starts; null when nothing new arrived. When the
 * stream's codec is known and no keyframe arrived since `start`, "no keyframe": a cut elsewhere would
 * start the next segment mid-picture, where nothing decodes — the caller asks the sender for one
 * (`requestKeyframe`) and tries again. A stream whose codec is not known is cut at its latest packet.
 * `notAfterMs` must leave the audio overlap time to arrive.
 */
export function cutSegment(recording: ProbeRecording, start: SegmentStart, notAfterMs: number): { segment: ProbeRecording; next: SegmentStart } | "no keyframe" | null {
  const video = recording.video.packets as PacketLog;
  const audio = recording.audio.packets as PacketLog;
  let last = video.length - 1;
  while (last >= start.video && video.at(last)!.arrivalMs > notAfterMs) last--;
  if (last < start.video) return null;
  const codec = videoCodecNameOf(`video/${identifyStreamCodec({ ...recording.video, packets: video.view(Math.max(start.video, last - 20), last + 1) }, "video").codec ?? ""}`);
  const cut = codec ? latestKeyframe(video, codec, start.video + 1, last + 1) : last + 1;
  if (cut === null) return "no keyframe";
  const cutMs = video.at(cut)?.arrivalMs ?? video.at(cut - 1)!.arrivalMs;
  const audioFrom = start.audio;
  const audioTo = firstAtOrAfter(audio, audioFrom, cutMs + audioOverlapMs);
  const segment: ProbeRecording = {
    ...recording,
    audio: { ...recording.audio, packets: audio.view(audioFrom, audioTo) },
    video: { ...recording.video, packets: video.view(start.video, cut) },
  };
  return { segment, next: { video: cut, audio: firstAtOrAfter(audio, audioFrom, cutMs - audioOverlapMs), atMs: cutMs } };
}

// The index of the first packet of the latest whole keyframe starting in [from, to), scanned back a
// window at a time (a sender may send one a minute or less often); null when there is none.
function latestKeyframe(video: PacketLog, codec: VideoCodecName, from: number, to: number): number | null {
  for (let end = to; end > from; end -= keyframeSearchPackets) {
    // Each window reaches a frame's length past its end, so a keyframe across windows is seen whole.
    const windowFrom = Math.max(from, end - keyframeSearchPackets);
    const window = [...video.view(windowFrom, Math.min(to, end + frameSpanPackets))];
    const keyframe = assembleVideoFrames(window, codec)
      .filter((f) => f.keyframe && f.complete)
      .map((f) => window.findIndex((p) => p.rtpTs === f.rtpTs))
      .filter((at) => at >= 0 && windowFrom + at < end)
      .sort((a, b) => b - a)[0];
    if (keyframe !== undefined) return windowFrom + keyframe;
  }
  return null;
}

/** The rest of the recording from `start`: the last segment. */
export function restOfRecording(recording: ProbeRecording, start: SegmentStart): ProbeRecording {
  const video = recording.video.packets as PacketLog;
  const audio = recording.audio.packets as PacketLog;
  return { ...recording, audio: { ...recording.audio, packets: audio.view(start.audio) }, video: { ...recording.video, packets: video.view(start.video) } };
}

/** Lets go of every packet before `start` (the next segment's own, overlap included, are kept). */
export function releaseBefore(recording: ProbeRecording, start: SegmentStart): void {
  (recording.video.packets as PacketLog).release(start.video);
  (recording.audio.packets as PacketLog).release(start.audio);
}

// The first index at or after `from` whose packet arrived at or after `ms` (the log's length when none).
function firstAtOrAfter(log: PacketLog, from: number, ms: number): number {
  let lo = from;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (log.at(mid)!.arrivalMs < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
