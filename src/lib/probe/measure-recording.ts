import {
  SenderClock,
  analyzeContinuity,
  classifyError,
  findDominantStepTicks,
  firstStepShortfallTicks,
  contentOffsets,
  findSyncAnomalies,
  judgeOffset,
  pairMarkers,
  transportRelativeDelay,
  type Anomaly,
  type ContinuityReport,
  type ContentOffsets,
  type ErrorClassification,
  type MarkerEvent,
  type OffsetJudgement,
  type ReceivedPacket,
  type TimedFrame,
  type OffsetSeries,
  type StepSource,
  type TransportDelay,
} from "../analysis/index.js";
import { AudioOnsetDetector, clipToneRule, findFlashOnsets, opusLookaheadSamples, type PatternOptions } from "../media/index.js";
import type { ProbeRecording, RecordedPacket, RecordedSenderReport } from "./recording.js";
import { decodeVideo, type VideoDecoding } from "./video-decoding.js";
import { identifyStreamCodec, type StreamCodec } from "./stream-codec.js";
import { loopYielder } from "./loop-yield.js";

// RTP clock rates when the answer did not say (recordings made before issue 17): WebRTC's own.
const defaultAudioClockHz = 48_000;
const defaultVideoClockHz = 90_000;
// 20 ms Opus, the WebRTC default ptime: what avsync's own pusher sends.
const patternAudioStepTicks = 960;

/** What the probe found in the decoded video beyond RTP: the content frame counter the pattern carries. */
export interface ContentFrameCheck {
  decoded: number;
  unreadable: number;
  /** A content frame shown again (the sender repeated it). */
  repeated: number;
  /** Content frames that never arrived between two that did. */
  skipped: number;
}

/**
 * Which markers the content carried: avsync's indexed pattern (frame code + pitch-coded beeps),
 * the common beep/flash clip (no index: each flash paired with the nearest beep within half a
 * period), or none (content offsets not available; everything else still measured).
 */
export type MarkerSource = "indexed" | "flash-beep" | "none";

/** What the probe should look for: `auto` tries the indexed pattern, then the beep/flash clip. */
export type ContentMode = "auto" | MarkerSource;

export interface MeasureOptions {
  content?: ContentMode;
  /**
   * Where the continuity checks take the expected steps from: `pattern` (avsync's own sender: the
   * pattern's fps and 20 ms audio), or `stream` (an external sender: each stream's dominant RTP
   * step), unless `fps` (the user's --fps) fixes the video step. Default `pattern`.
   */
  expectations?: "pattern" | "stream";
  fps?: number;
}

/** What arrived and how it was decoded: the codecs the server chose and what the decoder made of them. */
export interface MediaReport {
  video: StreamCodec & VideoDecoding;
  audio: StreamCodec & {
    /**
     * What was taken off each beep onset for the Opus encoder's lookahead: 6.5 ms when the sender's
     * RTP timestamps are its encoder input (libwebrtc, aiortc, avsync), 0 when its first step came
     * 312 ticks short (it stamps presentation times, as GStreamer's opusenc does). Absent before issue 17.
     */
    lookaheadCompensationMs?: number;
  };
}

/** Everything a probe session measured; raw series are kept so every chart can be redrawn. */
export interface ProbeMeasurements {
  markers: {
    /** Which kind of markers were found; absent in results written before avsync read other clips. */
    source?: MarkerSource;
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
  /** Named timing problems with their evidence (DESIGN §3 figures that need no markers). */
  anomalies?: Anomaly[];
  /** Codecs and decoding; absent in results written before issue 17. */
  media?: MediaReport;
}

/**
 * Turns a raw recording into the measurements of DESIGN §3: markers found by decoding, placed on
 * the sender's clock through the Sender Reports and at arrival; transport delay; continuity.
 */
export async function measureRecording(recording: ProbeRecording, pattern: PatternOptions, options: MeasureOptions = {}): Promise<ProbeMeasurements> {
  const mode = options.content ?? "auto";
  const audioCodec = identifyStreamCodec(recording.audio, "audio");
  const videoCodec = identifyStreamCodec(recording.video, "video");
  const audioClockHz = audioCodec.clockRateHz ?? defaultAudioClockHz;
  const videoClockHz = videoCodec.clockRateHz ?? defaultVideoClockHz;
  const audioClock = new SenderClock(audioClockHz);
  const videoClock = new SenderClock(videoClockHz);
  // One view object per packet for the whole measurement: the timestamp maps are keyed by them.
  const audioRecorded = Array.from(recording.audio.packets);
  const videoRecorded = Array.from(recording.video.packets);
  const audioTs = extendTimestamps(audioRecorded, recording.audio.senderReports, audioClock);
  const videoTs = extendTimestamps(videoRecorded, recording.video.senderReports, videoClock);

  const video = await scanVideo(videoRecorded, videoTs, videoCodec, pattern, mode !== "none");
  const indexed = mode === "indexed" || (mode === "auto" && video.codedShare >= 0.5);
  let source: MarkerSource = mode === "none" ? "none" : indexed ? "indexed" : "flash-beep";
  const flashes = source === "indexed" ? video.indexedFlashes : source === "flash-beep" ? video.flashOnsets : [];
  const audioPackets = toReceived(audioRecorded);
  const audioStep: [number, StepSource] =
    options.expectations === "stream" ? [findDominantStepTicks(audioPackets, audioClockHz) ?? patternAudioStepTicks, "stream"] : [patternAudioStepTicks, "pattern"];
  // Opus senders differ in what their RTP timestamps name. libwebrtc, aiortc and avsync stamp the
  // encoder's input, so the decoded audio lags them by the encoder's lookahead and each onset is
  // moved back by it. GStreamer's opusenc stamps presentation times instead: it takes the lookahead
  // off its first frame's duration, so the stream's first step is 312 ticks short (seen only when
  // the probe receives the stream from its start).
  const lookaheadTrimmed =
    audioCodec.codec?.toLowerCase() === "opus" && audioClockHz === 48_000 && firstStepShortfallTicks(audioPackets, audioStep[0]) === opusLookaheadSamples;
  const lookaheadSamples = lookaheadTrimmed ? 0 : opusLookaheadSamples;
  const beeps = source === "none" ? [] : await findBeeps(audioRecorded, audioTs, audioClockHz, pattern, source === "indexed", lookaheadSamples);
  const pairing = pairMarkers(flashes, beeps, {
    markerPeriodMs: pattern.markerPeriodS * 1000,
    loopMarkers: source === "indexed" ? pattern.loopMarkers : 1,
  });
  // Speech after a pause reads as a beep and a bright scene cut as a flash; without a pair neither is a marker.
  if (source === "flash-beep" && pairing.pairs.length === 0 && mode === "auto") source = "none";
  const offsets = contentOffsets(source === "none" ? [] : pairing.pairs, videoClock, audioClock);
  const audioFrames = audioRecorded.map((p) => ({ rtpTs: audioTs.get(p)!, arrivalMs: p.arrivalMs }));
  const transport = transportRelativeDelay(video.timedFrames, audioFrames, videoClock, audioClock);
  const errorKind = classifyError({
    senderOffsetMs: offsets.senderOffsetMs,
    arrivalOffsetMs: offsets.arrivalOffsetMs,
    relativeDelayMs: transport.relativeDelayMs,
  });
  const videoPackets = toReceived(videoRecorded);
  const videoStep = expectedVideoStep(videoPackets, videoClockHz, pattern, options);
  const videoContinuity = analyzeContinuity(videoPackets, { kind: "video", clockRateHz: videoClockHz, expectedStepTicks: videoStep[0], expectedStepSource: videoStep[1] });
  const audioContinuity = analyzeContinuity(audioPackets, {
    kind: "audio",
    clockRateHz: audioClockHz,
    expectedStepTicks: audioStep[0],
    expectedStepSource: audioStep[1],
    ...(lookaheadTrimmed ? { startTrimTicks: opusLookaheadSamples } : {}),
  });
  const anomalies = findSyncAnomalies({
    audio: { continuity: audioContinuity, senderReports: audioClock.senderReports(), transitMs: transitSeries(audioFrames, audioClock) },
    video: { continuity: videoContinuity, senderReports: videoClock.senderReports(), transitMs: transitSeries(video.timedFrames, videoClock) },
    offset: offsetSeries(offsets, transport, source === "flash-beep" ? pattern.markerPeriodS * 1000 : null),
  });
  return {
    markers: {
      source,
      flashes: source === "none" ? 0 : flashes.length,
      beeps: source === "none" ? 0 : beeps.length,
      paired: offsets.markers.length,
      unpairedFlashes: source === "none" ? [] : pairing.unpairedFlashes,
      unpairedBeeps: source === "none" ? [] : pairing.unpairedBeeps,
    },
    content: offsets,
    transport,
    errorKind,
    verdict: {
      sender: judgeOffset(offsets.senderOffsetMs, "itu-detect"),
      arrival: judgeOffset(offsets.arrivalOffsetMs, "itu-detect"),
    },
    continuity: {
      audio: audioContinuity,
      video: { ...videoContinuity, content: video.content },
    },
    senderReports: {
      audio: { count: recording.audio.senderReports.length, ntpDriftPpm: audioClock.ntpDriftPpm() },
      video: { count: recording.video.senderReports.length, ntpDriftPpm: videoClock.ntpDriftPpm() },
    },
    anomalies,
    media: { video: { ...videoCodec, ...video.decoding }, audio: { ...audioCodec, lookaheadCompensationMs: (lookaheadSamples * 1000) / 48_000 } },
  };
}

// The video step continuity is judged against: the user's --fps, else the pattern avsync sent, else
// (an external sender) the stream's own dominant step. Whatever the source, the clock is the SDP's.
function expectedVideoStep(packets: readonly ReceivedPacket[], clockRateHz: number, pattern: PatternOptions, options: MeasureOptions): [number, StepSource] {
  if (options.fps !== undefined) return [clockRateHz / options.fps, "flag"];
  if (options.expectations !== "stream") return [clockRateHz / pattern.fps, "pattern"];
  return [findDominantStepTicks(packets, clockRateHz) ?? clockRateHz / pattern.fps, "stream"];
}

// The series the drift and convergence checks read: the best method that has data. Un-indexed
// markers pair with the nearest beep, so a drifting offset wraps by a period; unwrapped here it
// shows its real trend.
function offsetSeries(offsets: ContentOffsets, transport: TransportDelay, wrapPeriodMs: number | null): OffsetSeries | null {
  const sender = offsets.markers.flatMap((m): [number, number][] => (m.senderOffsetMs === null ? [] : [[m.flashArrivalMs, m.senderOffsetMs]]));
  if (sender.length >= 3) return { method: "content, sender clock", points: unwrapPeriod(sender, wrapPeriodMs), windowMs: null };
  if (offsets.markers.length >= 3) {
    const arrival = offsets.markers.map((m): [number, number] => [m.flashArrivalMs, m.arrivalOffsetMs]);
    return { method: "content, at arrival", points: unwrapPeriod(arrival, wrapPeriodMs), windowMs: null };
  }
  if (transport.series.length >= 3) return { method: "transport relative delay", points: transport.series, windowMs: 1000 };
  return null;
}

// Each reading is moved by whole periods to lie closest to the one before it.
function unwrapPeriod(points: readonly [number, number][], periodMs: number | null): [number, number][] {
  if (periodMs === null) return [...points];
  const out: [number, number][] = [];
  for (const [x, y] of points) {
    const previous = out.at(-1)?.[1];
    out.push([x, previous === undefined ? y : y + Math.round((previous - y) / periodMs) * periodMs]);
  }
  return out;
}

// Arrival minus SR-mapped capture per frame: only its spread means something (the clocks differ by a constant).
function transitSeries(frames: readonly TimedFrame[], clock: SenderClock): [number, number][] {
  return frames.flatMap((f): [number, number][] => {
    const captureMs = clock.toSenderMs(f.rtpTs);
    return captureMs === null ? [] : [[f.arrivalMs, f.arrivalMs - captureMs]];
  });
}

function toReceived(packets: readonly RecordedPacket[]): ReceivedPacket[] {
  return packets.map((p) => ({ seq: p.seq, rtpTs: p.rtpTs, arrivalMs: p.arrivalMs, marker: p.marker, payloadBytes: p.payload.length }));
}

// Packets and Sender Reports must be unwrapped by one unwrapper in arrival order, so both share
// the clock's extended timestamp space across 32-bit wraps.
export function extendTimestamps(packets: readonly RecordedPacket[], senderReports: readonly RecordedSenderReport[], clock: SenderClock): Map<RecordedPacket, number> {
  const events: Array<{ arrivalMs: number; apply: () => void }> = [];
  const extended = new Map<RecordedPacket, number>();
  for (const packet of packets) events.push({ arrivalMs: packet.arrivalMs, apply: () => extended.set(packet, clock.unwrap(packet.rtpTs)) });
  for (const sr of senderReports) events.push({ arrivalMs: sr.arrivalMs, apply: () => clock.addSenderReport(sr) });
  events.sort((a, b) => a.arrivalMs - b.arrivalMs);
  for (const event of events) event.apply();
  return extended;
}

// Beeps of avsync's pattern name their marker by pitch; a clip's beeps are any tone burst that fits clipToneRule.
async function findBeeps(
  packets: readonly RecordedPacket[],
  extendedTs: Map<RecordedPacket, number>,
  audioClockHz: number,
  pattern: PatternOptions,
  indexed: boolean,
  lookaheadSamples: number,
): Promise<MarkerEvent[]> {
  const unique = [...new Map(packets.map((p) => [p.seq, p])).values()].sort((a, b) => extendedTs.get(a)! - extendedTs.get(b)!);
  if (unique.length === 0) return [];
  const detector = indexed
    ? new AudioOnsetDetector({ markerCodes: pattern.loopMarkers, beepMs: pattern.beepMs, lookaheadSamples })
    : new AudioOnsetDetector({ markerCodes: 1, beepMs: Math.max(pattern.beepMs, clipToneRule.minLengthMs), toneRule: clipToneRule, lookaheadSamples });
  const onsets = [];
  const yieldNow = loopYielder();
  try {
    for (const packet of unique) {
      await yieldNow();
      onsets.push(...detector.push(packet.payload, extendedTs.get(packet)!));
    }
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

interface VideoScan {
  /** Flashes of the indexed pattern, named by their frame code. */
  indexedFlashes: MarkerEvent[];
  /** Flash onsets of an un-indexed clip, all marker code 0. */
  flashOnsets: MarkerEvent[];
  /** Share of decoded pictures that carried a valid frame code: how sure we are it is avsync's pattern. */
  codedShare: number;
  timedFrames: TimedFrame[];
  content: ContentFrameCheck;
  decoding: VideoDecoding;
}

// Decodes every complete frame once and reads both kinds of markers from it.
async function scanVideo(
  packets: readonly RecordedPacket[],
  extendedTs: Map<RecordedPacket, number>,
  codec: StreamCodec,
  pattern: PatternOptions,
  decode: boolean,
): Promise<VideoScan> {
  const { frames, readings, decoding } = await decodeVideo(packets, extendedTs, codec, decode);
  const timedFrames = frames.map((frame) => ({ rtpTs: frame.extendedTs, arrivalMs: frame.completeArrivalMs }));
  const framesPerMarker = Math.round(pattern.markerPeriodS * pattern.fps);
  const indexedFlashes: MarkerEvent[] = [];
  const pictures: Array<MarkerEvent & { cellLuma: Float32Array }> = [];
  const content: ContentFrameCheck = { decoded: 0, unreadable: 0, repeated: 0, skipped: 0 };
  const loopFrames = framesPerMarker * pattern.loopMarkers;
  let previousCode: number | null = null;
  for (const { frame, reading } of readings) {
    pictures.push({ markerCode: 0, rtpTs: frame.extendedTs, arrivalMs: frame.completeArrivalMs, cellLuma: reading.cellLuma });
    if (reading.frameCode === null) {
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
      indexedFlashes.push({ markerCode: reading.frameCode / framesPerMarker, rtpTs: frame.extendedTs, arrivalMs: frame.completeArrivalMs });
    }
  }
  const flashOnsets = findFlashOnsets(pictures).map(({ markerCode, rtpTs, arrivalMs }) => ({ markerCode, rtpTs, arrivalMs }));
  return { indexedFlashes, flashOnsets, codedShare: pictures.length ? content.decoded / pictures.length : 0, timedFrames, content, decoding };
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
