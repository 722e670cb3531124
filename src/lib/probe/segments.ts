// A long run measured a segment at a time (`bench --segment`, issue 15): the recording is cut at a
// video keyframe, the part before the cut is measured as a recording of its own and its packets let go,
// so memory holds one segment, not the run. Audio overlaps the cut by a second either way, so a marker
// whose beep and flash fall either side of it still pairs: each flash lies in exactly one segment.
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
// The video scanned back from the cut for a keyframe to cut at: ~2 s of a 30 fps stream in 2–3 packets a frame.
const keyframeSearchPackets = 200;

/** Whether a recording can be measured in segments: its packets are the probe's own logs. */
export function segmentable(recording: ProbeRecording): boolean {
  return recording.audio.packets instanceof PacketLog && recording.video.packets instanceof PacketLog;
}

/**
 * The segment from `start` to a cut at the latest video keyframe that arrived by `notAfterMs` (at the
 * latest packet by then when no keyframe is found), as a recording of its own, and where the next
 * segment starts; null when nothing new arrived. `notAfterMs` must leave the audio overlap time to arrive.
 */
export function cutSegment(recording: ProbeRecording, start: SegmentStart, notAfterMs: number): { segment: ProbeRecording; next: SegmentStart } | null {
  const video = recording.video.packets as PacketLog;
  const audio = recording.audio.packets as PacketLog;
  let last = video.length - 1;
  while (last >= start.video && video.at(last)!.arrivalMs > notAfterMs) last--;
  if (last < start.video) return null;
  let cut = last + 1;
  const codec = videoCodecNameOf(`video/${identifyStreamCodec({ ...recording.video, packets: video.view(Math.max(start.video, last - 20), last + 1) }, "video").codec ?? ""}`);
  if (codec) {
    const from = Math.max(start.video, last + 1 - keyframeSearchPackets);
    const window = [...video.view(from, last + 1)];
    const keyframe = assembleVideoFrames(window, codec)
      .filter((f) => f.keyframe && f.complete)
      .sort((a, b) => b.firstSeq - a.firstSeq)[0];
    const at = keyframe ? window.findIndex((p) => p.rtpTs === keyframe.rtpTs) : -1;
    if (at > 0 || (at === 0 && from > start.video)) cut = from + at;
  }
  if (cut <= start.video) return null;
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
