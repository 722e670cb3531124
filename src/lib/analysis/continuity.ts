import { groupFrames, sequencePackets, type Frame, type ReceivedPacket, type SequencedPacket } from "./frames.js";
import { fitLine } from "./linear-fit.js";
import { createRtpUnwrapper } from "./rtp-unwrap.js";
import { countValues, summarize, type Summary, type ValueCount } from "./stats.js";

// What the stream should look like; every figure is measured against it.
export interface ContinuityOptions {
  kind: "audio" | "video";
  clockRateHz: number;
  /** 3000 for 30 fps at 90 kHz, 960 for 20 ms at 48 kHz. */
  expectedStepTicks: number;
  /** How far a step may stray from the expected one and still count as regular; 10 % of a step by default. */
  toleranceTicks?: number;
  /** Where expectedStepTicks came from, kept in the report: the sender's known pattern, `--fps`, or the stream itself. */
  expectedStepSource?: StepSource;
  /**
   * The first step is this many ticks short by design: the sender trimmed its encoder's lookahead
   * from its first frame's duration (GStreamer's opusenc), so that step is expected, not a discontinuity.
   */
  startTrimTicks?: number;
}

/** `pattern`: avsync's own sender; `flag`: the user's --fps; `stream`: the stream's dominant step. */
export type StepSource = "pattern" | "flag" | "stream";

// One irregular timestamp step, placed so a chart can mark it.
export interface StepEvent {
  /** (extended RTP timestamp − first frame's) / expected step: 0 is the first frame sent and received. */
  frameIndex: number;
  deltaTicks: number;
  arrivalMs: number;
}

// A run of lost packets, in the sequence numbers a packet capture would show.
export interface SequenceRange {
  /** 16-bit sequence numbers as on the wire, inclusive. */
  fromSeq: number;
  toSeq: number;
  count: number;
}

// A pause in arrivals long enough to drain an audio playout buffer.
export interface ArrivalGap {
  arrivalMs: number;
  intervalMs: number;
}

// Everything result.json needs about one stream's continuity, charts' raw series included.
export interface ContinuityReport {
  kind: "audio" | "video";
  clockRateHz: number;
  expectedStepTicks: number;
  /** Where the expected step came from; absent in results written before issue 17. */
  expectedStepSource?: StepSource;
  /** Present when the first step was short by design (ContinuityOptions.startTrimTicks): by how much. */
  startTrimTicks?: number;
  toleranceTicks: number;
  /** Every packet received, duplicates included. */
  packets: number;
  frames: number;
  /** Exact RTP timestamp step between consecutive frames in sending order → count. */
  stepHistogram: ValueCount[];
  /** Share of steps exactly equal to the expected step; null without steps. */
  stepsExact: number | null;
  meanStepTicks: number | null;
  /** Forward steps off the expected step by more than the tolerance and not a whole multiple of it. */
  discontinuities: StepEvent[];
  /** Frame indexes the sender skipped or the network lost whole: a step of k × expected leaves k − 1. */
  missingFrames: number[];
  /** Steps where the sender's timestamp went backwards in sequence order (not network reordering). */
  backwardJumps: StepEvent[];
  /** Packets whose sequence number had already been received. */
  duplicates: number;
  /** Packets arriving after one with a higher sequence number. */
  reordered: number;
  /** 32-bit RTP timestamp wraps crossed. */
  wraps: number;
  sequenceGaps: { lostPackets: number; ranges: SequenceRange[] };
  /** RFC 3550 interarrival jitter: the final value and an [arrivalMs, jitterMs] sample after each frame once two packets are in. */
  jitterMs: { final: number | null; series: [number, number][] };
  /** Time between consecutive frames' first packets, in arrival order. */
  arrivalIntervalMs: Summary;
  /** RTP clock vs. arrival clock, ppm (positive = RTP clock fast); null under 2 s of data. */
  driftPpm: number | null;
  /** Audio only: arrival intervals over 2.5 expected frame durations, which a playout buffer must bridge. */
  audioGaps: { count: number; gaps: ArrivalGap[] } | null;
  /** Raw series for redrawing charts, each point [arrivalMs, value]. */
  series: { stepTicks: [number, number][]; arrivalIntervalMs: [number, number][] };
}

const TWO_POW_32 = 2 ** 32;
const SEQ_RANGE = 2 ** 16;
const MIN_DRIFT_SPAN_MS = 2000;
const DRIFT_WINDOW_MS = 500;
const AUDIO_GAP_FACTOR = 2.5;

// PTS continuity of one received stream (DESIGN.md §3): is every timestamp where the expected
// frame rate says it should be, what was lost, and how evenly did it arrive.
export function analyzeContinuity(packets: readonly ReceivedPacket[], opts: ContinuityOptions): ContinuityReport {
  const { kind, clockRateHz, expectedStepTicks } = opts;
  const toleranceTicks = opts.toleranceTicks ?? Math.round(expectedStepTicks / 10);
  checkPositive("clockRateHz", clockRateHz);
  checkPositive("expectedStepTicks", expectedStepTicks);
  if (!(toleranceTicks >= 0)) throw new RangeError(`Expected \`toleranceTicks\` to be zero or more, got \`${toleranceTicks}\`.`);

  const { unique, duplicates } = sequencePackets(packets, createRtpUnwrapper());
  const frames = groupFrames(unique);
  const steps = classifySteps(frames, expectedStepTicks, toleranceTicks, opts.startTrimTicks ?? 0);
  const intervals = arrivalIntervals(frames);
  const expectedFrameMs = (expectedStepTicks * 1000) / clockRateHz;
  const gaps = intervals.filter(([, intervalMs]) => intervalMs > AUDIO_GAP_FACTOR * expectedFrameMs);

  return {
    kind,
    clockRateHz,
    expectedStepTicks,
    ...(opts.expectedStepSource ? { expectedStepSource: opts.expectedStepSource } : {}),
    ...(opts.startTrimTicks ? { startTrimTicks: opts.startTrimTicks } : {}),
    toleranceTicks,
    packets: packets.length,
    frames: frames.length,
    stepHistogram: countValues(steps.deltas),
    stepsExact: steps.deltas.length ? steps.exact / steps.deltas.length : null,
    meanStepTicks: summarize(steps.deltas).mean,
    discontinuities: steps.discontinuities,
    missingFrames: steps.missingFrames,
    backwardJumps: steps.backwardJumps,
    duplicates,
    reordered: countReordered(unique),
    wraps: countWraps(frames),
    sequenceGaps: findSequenceGaps(unique),
    jitterMs: interarrivalJitter(unique, clockRateHz),
    arrivalIntervalMs: summarize(intervals.map(([, intervalMs]) => intervalMs)),
    driftPpm: measureDriftPpm(frames, clockRateHz),
    audioGaps: kind === "audio" ? { count: gaps.length, gaps: gaps.map(([arrivalMs, intervalMs]) => ({ arrivalMs, intervalMs })) } : null,
    series: { stepTicks: steps.series, arrivalIntervalMs: intervals },
  };
}

// A step shared by at least this share of a stream's steps is its frame duration.
const dominantStepShare = 0.5;
// Frame rates senders use; irregular stamps are judged against the one nearest their median step.
const commonFrameRates = [10, 12, 15, 20, 24, 25, 30, 48, 50, 60, 90, 120];

/**
 * The step a stream's own timestamps say it was sent at, for external senders whose frame rate
 * avsync cannot know (LiveTalking sends 25 fps: 3600 ticks): the most common step when at least
 * half the steps are exactly it; otherwise (timestamps stamped when frames were pulled) the
 * step of the common frame rate nearest the median step, so irregular stamps still read as irregular.
 * Null with fewer than two frames.
 */
export function findDominantStepTicks(packets: readonly ReceivedPacket[], clockRateHz: number): number | null {
  const frames = groupFrames(sequencePackets(packets, createRtpUnwrapper()).unique);
  const steps = frames.slice(1).map((f, i) => f.rtpTs - frames[i]!.rtpTs).filter((step) => step > 0);
  if (steps.length === 0) return null;
  const [mode] = [...countValues(steps)].sort((a, b) => b.count - a.count);
  if (mode && mode.count >= dominantStepShare * steps.length) return mode.value;
  const median = summarize(steps).p50!;
  const nearest = commonFrameRates.reduce((best, fps) => (Math.abs(clockRateHz / fps - median) < Math.abs(clockRateHz / best - median) ? fps : best));
  return Math.round(clockRateHz / nearest);
}

/** How many ticks the stream's first timestamp step falls short of `stepTicks` (0 when it does not, or with under two frames). */
export function firstStepShortfallTicks(packets: readonly ReceivedPacket[], stepTicks: number): number {
  const frames = groupFrames(sequencePackets(packets, createRtpUnwrapper()).unique);
  if (frames.length < 2) return 0;
  const step = frames[1]!.rtpTs - frames[0]!.rtpTs;
  return step > 0 && step < stepTicks ? stepTicks - step : 0;
}

// A packet is reordered when one sent after it arrived first.
function countReordered(unique: readonly SequencedPacket[]): number {
  let maxSeq = -Infinity;
  let reordered = 0;
  for (const { seq } of unique) {
    if (seq < maxSeq) reordered += 1;
    maxSeq = Math.max(maxSeq, seq);
  }
  return reordered;
}

// RFC 3550 §6.4.1 and A.8: J += (|D| − J) / 16, D being the change in transit time (arrival −
// RTP time) between consecutive arrivals. Sampled after the last packet of each frame.
// https://www.rfc-editor.org/rfc/rfc3550#appendix-A.8
function interarrivalJitter(unique: readonly SequencedPacket[], clockRateHz: number): ContinuityReport["jitterMs"] {
  const series: [number, number][] = [];
  let jitterMs = 0;
  let lastTransitMs = 0;
  unique.forEach((p, i) => {
    const transitMs = p.arrivalMs - (p.rtpTs * 1000) / clockRateHz;
    if (i > 0) jitterMs += (Math.abs(transitMs - lastTransitMs) - jitterMs) / 16;
    lastTransitMs = transitMs;
    const next = unique[i + 1];
    if (i > 0 && (!next || next.rtpTs !== p.rtpTs)) series.push([p.arrivalMs, jitterMs]);
  });
  return { final: unique.length >= 2 ? jitterMs : null, series };
}

// Every step lands in exactly one bucket (exact, within tolerance, k whole steps, backward,
// discontinuity), so the lists never double-count one event.
function classifySteps(frames: readonly Frame[], stepTicks: number, toleranceTicks: number, startTrimTicks: number) {
  const deltas: number[] = [];
  const series: [number, number][] = [];
  const discontinuities: StepEvent[] = [];
  const backwardJumps: StepEvent[] = [];
  const missingFrames: number[] = [];
  let exact = 0;
  const frameIndex = (f: Frame) => (f.rtpTs - frames[0].rtpTs) / stepTicks;
  for (let i = 1; i < frames.length; i++) {
    const deltaTicks = frames[i].rtpTs - frames[i - 1].rtpTs;
    const event = { frameIndex: frameIndex(frames[i]), deltaTicks, arrivalMs: frames[i].arrivalMs };
    deltas.push(deltaTicks);
    series.push([frames[i].arrivalMs, deltaTicks]);
    if (deltaTicks === stepTicks || (i === 1 && startTrimTicks > 0 && deltaTicks === stepTicks - startTrimTicks)) exact += 1;
    else if (deltaTicks < 0) backwardJumps.push(event);
    else if (Math.abs(deltaTicks - stepTicks) > toleranceTicks) {
      const multiple = Math.round(deltaTicks / stepTicks);
      if (multiple >= 2 && Math.abs(deltaTicks - multiple * stepTicks) <= toleranceTicks) {
        const before = frameIndex(frames[i - 1]);
        for (let k = 1; k < multiple; k++) missingFrames.push(before + k);
      } else discontinuities.push(event);
    }
  }
  return { deltas, series, exact, discontinuities, backwardJumps, missingFrames };
}

function arrivalIntervals(frames: readonly Frame[]): [number, number][] {
  const arrivalsMs = frames.map((f) => f.arrivalMs).sort((a, b) => a - b);
  return arrivalsMs.slice(1).map((arrivalMs, i) => [arrivalMs, arrivalMs - arrivalsMs[i]]);
}

function countWraps(frames: readonly Frame[]): number {
  if (frames.length === 0) return 0;
  const { min, max } = rangeOf(frames.map((f) => Math.floor(f.rtpTs / TWO_POW_32)));
  return max - min;
}

function findSequenceGaps(unique: readonly SequencedPacket[]): ContinuityReport["sequenceGaps"] {
  const sorted = unique.map((p) => p.seq).sort((a, b) => a - b);
  const ranges: SequenceRange[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const count = sorted[i] - sorted[i - 1] - 1;
    if (count > 0) ranges.push({ fromSeq: toWireSeq(sorted[i - 1] + 1), toSeq: toWireSeq(sorted[i] - 1), count });
  }
  return { lostPackets: ranges.reduce((sum, r) => sum + r.count, 0), ranges };
}

// Slope of RTP time against arrival time, fitted through the least-delayed frame of each
// half-second window: pacing and network delays only ever add, so the lower envelope follows
// the sender's clock while a plain fit through every frame is pulled by a few late ones.
/** The RTP clock's drift against arrival in ppm: a line through the least-delayed frame of each 500 ms window (null under 2 s). */
export function measureDriftPpm(frames: ReadonlyArray<Pick<Frame, "arrivalMs" | "rtpTs">>, clockRateHz: number): number | null {
  const arrivalsMs = frames.map((f) => f.arrivalMs);
  const { min, max } = rangeOf(arrivalsMs);
  if (arrivalsMs.length < 2 || max - min < MIN_DRIFT_SPAN_MS) return null;
  const leastDelayed = new Map<number, { arrivalMs: number; rtpMs: number }>();
  for (const frame of frames) {
    const rtpMs = (frame.rtpTs * 1000) / clockRateHz;
    const window = Math.floor((frame.arrivalMs - min) / DRIFT_WINDOW_MS);
    const best = leastDelayed.get(window);
    if (!best || frame.arrivalMs - rtpMs < best.arrivalMs - best.rtpMs) leastDelayed.set(window, { arrivalMs: frame.arrivalMs, rtpMs });
  }
  const points = [...leastDelayed.values()];
  const fit = fitLine(
    points.map((p) => p.arrivalMs),
    points.map((p) => p.rtpMs),
  );
  return fit ? (fit.slope - 1) * 1e6 : null;
}

// Long streams have too many values to spread into Math.min / Math.max.
function rangeOf(values: readonly number[]): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { min, max };
}

function toWireSeq(extendedSeq: number): number {
  return ((extendedSeq % SEQ_RANGE) + SEQ_RANGE) % SEQ_RANGE;
}

function checkPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`Expected \`${name}\` to be a positive number, got \`${value}\`.`);
}
