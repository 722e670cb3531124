import {
  SenderClock,
  analyzeContinuity,
  classifyError,
  contentOffsets,
  judgeOffset,
  pairMarkers,
  transportRelativeDelay,
  type ContinuityReport,
  type ContentOffsets,
  type ErrorClassification,
  type MarkerEvent,
  type OffsetJudgement,
  type ReceivedPacket,
  type TimedFrame,
  type TransportDelay,
} from "../analysis/index.js";
import { AudioOnsetDetector, VideoMarkerReader, type PatternOptions } from "../media/index.js";
import type { ProbeRecording, RecordedPacket, StreamRecording } from "./recording.js";
import { assembleVp8Frames } from "./vp8-frames.js";

const audioClockHz = 48_000;
const videoClockHz = 90_000;
const audioStepTicks = 960;

/** What the probe found in the decoded video beyond RTP: the content frame counter the pattern carries. */
export interface ContentFrameCheck {
  decoded: number;
  unreadable: number;
  /** A content frame shown again (the sender repeated it). */
  repeated: number;
  /** Content frames that never arrived between two that did. */
  skipped: number;
}

/** Everything a probe session measured; raw series are kept so every chart can be redrawn. */
export interface ProbeMeasurements {
  markers: {
    flashes: number;
    beeps: number;
    paired: number;
    unpairedFlashes: MarkerEvent[];
    unpairedBeeps: MarkerEvent[];
  };
  content: ContentOffsets;
  transport: TransportDelay;
  errorKind: ErrorClassification;
  verdict: { sender: OffsetJudgement; arrival: OffsetJudgement };
  continuity: { audio: ContinuityReport; video: ContinuityReport & { content: ContentFrameCheck } };
  senderReports: {
    audio: { count: number; ntpDriftPpm: number | null };
    video: { count: number; ntpDriftPpm: number | null };
  };
}

/**
 * Turns a raw recording into the measurements of DESIGN §3: markers found by decoding, placed on
 * the sender's clock through the Sender Reports and at arrival; transport delay; continuity.
 */
export async function measureRecording(recording: ProbeRecording, pattern: PatternOptions): Promise<ProbeMeasurements> {
  const audioClock = new SenderClock(audioClockHz);
  const videoClock = new SenderClock(videoClockHz);
  const audioTs = extendTimestamps(recording.audio, audioClock);
  const videoTs = extendTimestamps(recording.video, videoClock);

  const beeps = findBeeps(recording.audio.packets, audioTs, pattern);
  const { flashes, timedFrames: videoFrames, content } = await findFlashes(recording.video.packets, videoTs, pattern);
  const pairing = pairMarkers(flashes, beeps, { markerPeriodMs: pattern.markerPeriodS * 1000, loopMarkers: pattern.loopMarkers });
  const offsets = contentOffsets(pairing.pairs, videoClock, audioClock);
  const transport = transportRelativeDelay(
    videoFrames,
    recording.audio.packets.map((p) => ({ rtpTs: audioTs.get(p)!, arrivalMs: p.arrivalMs })),
    videoClock,
    audioClock,
  );
  const errorKind = classifyError({
    senderOffsetMs: offsets.senderOffsetMs,
    arrivalOffsetMs: offsets.arrivalOffsetMs,
    relativeDelayMs: transport.relativeDelayMs,
  });
  const videoContinuity = analyzeContinuity(toReceived(recording.video.packets), {
    kind: "video",
    clockRateHz: videoClockHz,
    expectedStepTicks: videoClockHz / pattern.fps,
  });
  return {
    markers: {
      flashes: flashes.length,
      beeps: beeps.length,
      paired: pairing.pairs.length,
      unpairedFlashes: pairing.unpairedFlashes,
      unpairedBeeps: pairing.unpairedBeeps,
    },
    content: offsets,
    transport,
    errorKind,
    verdict: {
      sender: judgeOffset(offsets.senderOffsetMs, "itu-detect"),
      arrival: judgeOffset(offsets.arrivalOffsetMs, "itu-detect"),
    },
    continuity: {
      audio: analyzeContinuity(toReceived(recording.audio.packets), { kind: "audio", clockRateHz: audioClockHz, expectedStepTicks: audioStepTicks }),
      video: { ...videoContinuity, content },
    },
    senderReports: {
      audio: { count: recording.audio.senderReports.length, ntpDriftPpm: audioClock.ntpDriftPpm() },
      video: { count: recording.video.senderReports.length, ntpDriftPpm: videoClock.ntpDriftPpm() },
    },
  };
}

function toReceived(packets: readonly RecordedPacket[]): ReceivedPacket[] {
  return packets.map((p) => ({ seq: p.seq, rtpTs: p.rtpTs, arrivalMs: p.arrivalMs, marker: p.marker, payloadBytes: p.payload.length }));
}

// Packets and Sender Reports must be unwrapped by one unwrapper in arrival order, so both share
// the clock's extended timestamp space across 32-bit wraps.
function extendTimestamps(stream: StreamRecording, clock: SenderClock): Map<RecordedPacket, number> {
  const events: Array<{ arrivalMs: number; apply: () => void }> = [];
  const extended = new Map<RecordedPacket, number>();
  for (const packet of stream.packets) events.push({ arrivalMs: packet.arrivalMs, apply: () => extended.set(packet, clock.unwrap(packet.rtpTs)) });
  for (const sr of stream.senderReports) events.push({ arrivalMs: sr.arrivalMs, apply: () => clock.addSenderReport(sr) });
  events.sort((a, b) => a.arrivalMs - b.arrivalMs);
  for (const event of events) event.apply();
  return extended;
}

function findBeeps(packets: readonly RecordedPacket[], extendedTs: Map<RecordedPacket, number>, pattern: PatternOptions): MarkerEvent[] {
  const unique = [...new Map(packets.map((p) => [p.seq, p])).values()].sort((a, b) => extendedTs.get(a)! - extendedTs.get(b)!);
  const detector = new AudioOnsetDetector({ markerCodes: pattern.loopMarkers, beepMs: pattern.beepMs });
  const onsets = [];
  try {
    for (const packet of unique) onsets.push(...detector.push(packet.payload, extendedTs.get(packet)!));
    onsets.push(...detector.flush());
  } finally {
    detector.close();
  }
  return onsets.map((onset) => {
    // The beep is heard when the packet carrying its first sample arrives, plus its place in that packet.
    const carrier = lastAtOrBefore(unique, (p) => extendedTs.get(p)!, onset.onsetRtp) ?? unique[0]!;
    const intoPacketMs = ((onset.onsetRtp - extendedTs.get(carrier)!) * 1000) / audioClockHz;
    return { markerCode: onset.markerCode, rtpTs: onset.onsetRtp, arrivalMs: carrier.arrivalMs + intoPacketMs };
  });
}

async function findFlashes(
  packets: readonly RecordedPacket[],
  extendedTs: Map<RecordedPacket, number>,
  pattern: PatternOptions,
): Promise<{ flashes: MarkerEvent[]; timedFrames: TimedFrame[]; content: ContentFrameCheck }> {
  const extendedOf = new Map(packets.map((p) => [p.rtpTs, extendedTs.get(p)!]));
  const frames = assembleVp8Frames(packets)
    .map((frame) => ({ ...frame, extendedTs: extendedOf.get(frame.rtpTs)! }))
    .sort((a, b) => a.extendedTs - b.extendedTs);
  const framesPerMarker = Math.round(pattern.markerPeriodS * pattern.fps);
  const reader = new VideoMarkerReader({ width: pattern.width, height: pattern.height });
  const flashes: MarkerEvent[] = [];
  const content: ContentFrameCheck = { decoded: 0, unreadable: 0, repeated: 0, skipped: 0 };
  const loopFrames = framesPerMarker * pattern.loopMarkers;
  let previousCode: number | null = null;
  try {
    for (const frame of frames) {
      if (!frame.complete) continue;
      const reading = await reader.decode(frame.data);
      if (!reading || reading.frameCode === null) {
        content.unreadable++;
        continue;
      }
      content.decoded++;
      if (previousCode !== null) {
        const step = (reading.frameCode - previousCode + loopFrames) % loopFrames;
        if (step === 0) content.repeated++;
        else content.skipped += step - 1;
      }
      previousCode = reading.frameCode;
      if (reading.flash && reading.frameCode % framesPerMarker === 0) {
        flashes.push({ markerCode: reading.frameCode / framesPerMarker, rtpTs: frame.extendedTs, arrivalMs: frame.completeArrivalMs });
      }
    }
  } finally {
    await reader.close();
  }
  const timedFrames = frames.map((frame) => ({ rtpTs: frame.extendedTs, arrivalMs: frame.completeArrivalMs }));
  return { flashes, timedFrames, content };
}

function lastAtOrBefore<T>(sorted: readonly T[], key: (item: T) => number, value: number): T | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(sorted[mid]!) <= value) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo - 1];
}
