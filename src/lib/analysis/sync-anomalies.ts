import type { ContinuityReport } from "./continuity.js";
import { fitLine } from "./linear-fit.js";
import type { SenderReportPoint } from "./sender-clock.js";
import { summarize } from "./stats.js";

// Named problems of a stream's timing that need no test pattern, each with the figures that
// triggered it, so a user with an arbitrary clip still learns what is wrong and where to look.
export type AnomalyName =
  | "missing-sender-reports"
  | "broken-sr-clock"
  | "sr-clock-skew"
  | "irregular-timestamps"
  | "unbounded-drift"
  | "never-converged"
  | "slow-convergence"
  | "residual-offset"
  | "excess-buffering";

// One finding: what, which stream, a sentence for humans, and the numbers behind it.
export interface Anomaly {
  name: AnomalyName;
  stream: "audio" | "video" | "av";
  message: string;
  evidence: Record<string, number | string | null>;
}

// Where each anomaly starts to fire; defaults are documented in docs/targets.md.
export interface AnomalyThresholds {
  /** Two consecutive SRs whose NTP step and RTP step disagree by more than this: the SR clock is broken. */
  srResidualMs: number;
  /** The two streams' SR clocks disagree about "now" by more than this (lower envelope of arrival − NTP). */
  srSkewMs: number;
  /** Share of timestamp steps exactly on the expected step below which a stream's PTS are irregular. */
  minExactStepShare: number;
  /** A/V offset trend: flagged when it moves faster than this … */
  driftMsPerS: number;
  /** … and by more than this over the run. */
  driftTotalMs: number;
  /** Window medians within this of the final value count as settled. */
  convergenceBandMs: number;
  /** Settling later than this after the first reading is slow. */
  slowConvergenceS: number;
  /** A settled offset beyond ± this is a residual offset. */
  residualOffsetMs: number;
  /** p95 of a stream's (arrival − SR-mapped capture) above its minimum: media held back in bursts. */
  queueingSpreadMs: number;
  /** |transport relative delay| a receiver would have to buffer one stream by to align them. */
  alignmentBufferMs: number;
}

export const defaultAnomalyThresholds: AnomalyThresholds = Object.freeze({
  srResidualMs: 50,
  srSkewMs: 50,
  minExactStepShare: 0.9,
  driftMsPerS: 2,
  driftTotalMs: 20,
  convergenceBandMs: 15,
  slowConvergenceS: 5,
  residualOffsetMs: 20,
  queueingSpreadMs: 100,
  alignmentBufferMs: 150,
});

// One stream as the anomaly checks need it.
export interface AnomalyStreamInput {
  continuity: ContinuityReport;
  senderReports: readonly SenderReportPoint[];
  /** Per frame: [arrivalMs, arrivalMs − SR-mapped capture ms]; only differences between values matter. */
  transitMs: readonly [number, number][];
}

// An A/V offset series in time order: [arrivalMs, offsetMs], named after the method that made it.
export interface OffsetSeries {
  method: "content, sender clock" | "content, at arrival" | "transport relative delay";
  points: readonly [number, number][];
  /** Points per settling window: content series have one reading per marker, transport one per frame. */
  windowMs: number | null;
}

// Runs every check; the list is empty for a clean stream.
export function findSyncAnomalies(
  input: { audio: AnomalyStreamInput; video: AnomalyStreamInput; offset: OffsetSeries | null },
  thresholds: AnomalyThresholds = defaultAnomalyThresholds,
): Anomaly[] {
  const anomalies: Anomaly[] = [];
  const srEnvelope: Partial<Record<"audio" | "video", number>> = {};
  for (const kind of ["audio", "video"] as const) {
    const stream = input[kind];
    anomalies.push(...checkSenderReports(kind, stream, thresholds));
    anomalies.push(...checkTimestamps(kind, stream.continuity, thresholds));
    anomalies.push(...checkQueueing(kind, stream.transitMs, thresholds));
    if (stream.senderReports.length) srEnvelope[kind] = Math.min(...stream.senderReports.map((sr) => sr.arrivalMs - sr.ntpMs));
  }
  if (srEnvelope.audio !== undefined && srEnvelope.video !== undefined) {
    const skewMs = srEnvelope.video - srEnvelope.audio;
    if (Math.abs(skewMs) > thresholds.srSkewMs) {
      anomalies.push({
        name: "sr-clock-skew",
        stream: "av",
        message: `The audio and video Sender Reports disagree about the sender's time by ${fmt(skewMs)} ms: SR-based sync (a browser) will misalign the streams by about that much.`,
        evidence: { skewMs, thresholdMs: thresholds.srSkewMs, method: "video − audio lower envelope of (SR arrival − SR NTP)" },
      });
    }
  }
  if (input.offset) anomalies.push(...checkOffsetSeries(input.offset, thresholds));
  return anomalies;
}

function checkSenderReports(kind: "audio" | "video", stream: AnomalyStreamInput, t: AnomalyThresholds): Anomaly[] {
  const srs = stream.senderReports;
  if (srs.length === 0) {
    return stream.continuity.packets > 0
      ? [{
          name: "missing-sender-reports",
          stream: kind,
          message: `No RTCP Sender Report arrived for ${kind}: its frames cannot be placed on the sender's clock, so the transport offset is not available.`,
          evidence: { packets: stream.continuity.packets, senderReports: 0 },
        }]
      : [];
  }
  const rateHz = stream.continuity.clockRateHz;
  let worstMs = 0;
  let worstAt = -1;
  let backwards = 0;
  for (let i = 1; i < srs.length; i++) {
    const ntpStepMs = srs[i]!.ntpMs - srs[i - 1]!.ntpMs;
    const rtpStepMs = ((srs[i]!.rtpTicks - srs[i - 1]!.rtpTicks) * 1000) / rateHz;
    if (ntpStepMs <= 0 && rtpStepMs > 0) backwards++;
    const residualMs = ntpStepMs - rtpStepMs;
    if (Math.abs(residualMs) > Math.abs(worstMs)) {
      worstMs = residualMs;
      worstAt = i;
    }
  }
  if (backwards === 0 && Math.abs(worstMs) <= t.srResidualMs) return [];
  return [{
    name: "broken-sr-clock",
    stream: kind,
    message: `The ${kind} Sender Reports do not advance with the RTP clock (worst step off by ${fmt(worstMs)} ms${backwards ? `, NTP went backwards ${backwards}×` : ""}): the sender's NTP↔RTP mapping is wrong, so every SR-based figure for ${kind} is suspect.`,
    evidence: { worstResidualMs: worstMs, atSenderReport: worstAt, ntpBackwardSteps: backwards, senderReports: srs.length, thresholdMs: t.srResidualMs },
  }];
}

function checkTimestamps(kind: "audio" | "video", c: ContinuityReport, t: AnomalyThresholds): Anomaly[] {
  const steps = c.frames - 1;
  if (steps < 10 || c.stepsExact === null) return [];
  if (c.stepsExact >= t.minExactStepShare && c.backwardJumps.length === 0 && c.discontinuities.length <= steps * 0.05) return [];
  const common = [...c.stepHistogram].sort((a, b) => b.count - a.count).slice(0, 4).map((v) => `${v.value}×${v.count}`).join(", ");
  return [{
    name: "irregular-timestamps",
    stream: kind,
    message: `${capitalize(kind)} RTP timestamps do not advance by the expected ${c.expectedStepTicks} ticks per frame (${(c.stepsExact * 100).toFixed(1)} % exact, ${c.discontinuities.length} discontinuities, ${c.backwardJumps.length} backward jumps): they look stamped when frames were pulled or sent, not from a schedule.`,
    evidence: {
      stepsExact: c.stepsExact,
      expectedStepTicks: c.expectedStepTicks,
      meanStepTicks: c.meanStepTicks,
      discontinuities: c.discontinuities.length,
      backwardJumps: c.backwardJumps.length,
      commonSteps: common,
    },
  }];
}

function checkQueueing(kind: "audio" | "video", transitMs: readonly [number, number][], t: AnomalyThresholds): Anomaly[] {
  if (transitMs.length < 10) return [];
  const s = summarize(transitMs.map(([, ms]) => ms));
  const spreadMs = s.p95! - s.min!;
  if (spreadMs <= t.queueingSpreadMs) return [];
  return [{
    name: "excess-buffering",
    stream: kind,
    message: `${capitalize(kind)} frames arrive up to ${spreadMs.toFixed(1)} ms (p95) later than the least-delayed one relative to their capture time: the sender or the path holds media back in bursts.`,
    evidence: { queueingP95Ms: spreadMs, queueingP50Ms: s.p50! - s.min!, thresholdMs: t.queueingSpreadMs },
  }];
}

function checkOffsetSeries(series: OffsetSeries, t: AnomalyThresholds): Anomaly[] {
  const points = [...series.points].sort((a, b) => a[0] - b[0]);
  if (points.length < 3) return [];
  const anomalies: Anomaly[] = [];
  const spanS = (points.at(-1)![0] - points[0]![0]) / 1000;
  const fit = fitLine(points.map(([x]) => x / 1000), points.map(([, y]) => y));
  if (fit && spanS > 0) {
    const totalMs = fit.slope * spanS;
    if (Math.abs(fit.slope) > t.driftMsPerS && Math.abs(totalMs) > t.driftTotalMs) {
      anomalies.push({
        name: "unbounded-drift",
        stream: "av",
        message: `The A/V offset (${series.method}) keeps moving at ${fmt(fit.slope)} ms/s (${fmt(totalMs)} ms over ${spanS.toFixed(1)} s): one stream's content runs slower than its timestamps claim, so no fixed delay can hold sync.`,
        evidence: { method: series.method, slopeMsPerS: fit.slope, changeMs: totalMs, spanS, points: points.length, thresholdMsPerS: t.driftMsPerS },
      });
    }
  }
  const medians = windowMedians(points, series.windowMs);
  if (medians.length < 3) return anomalies;
  const final = medians.at(-1)!.valueMs;
  let settle = medians.length - 1;
  while (settle > 0 && Math.abs(medians[settle - 1]!.valueMs - final) <= t.convergenceBandMs) settle--;
  const settleS = (medians[settle]!.startMs - points[0]![0]) / 1000;
  if (settle === medians.length - 1) {
    anomalies.push({
      name: "never-converged",
      stream: "av",
      message: `The A/V offset (${series.method}) was still moving at the end of the run (last two windows ${fmt(medians.at(-2)!.valueMs)} and ${fmt(final)} ms, more than ±${t.convergenceBandMs} ms apart).`,
      evidence: { method: series.method, lastWindowsMs: `${fmt(medians.at(-2)!.valueMs)}, ${fmt(final)}`, bandMs: t.convergenceBandMs, windows: medians.length },
    });
    return anomalies;
  }
  if (settleS > t.slowConvergenceS) {
    anomalies.push({
      name: "slow-convergence",
      stream: "av",
      message: `The A/V offset (${series.method}) took ${settleS.toFixed(1)} s to settle within ±${t.convergenceBandMs} ms of its final value.`,
      evidence: { method: series.method, settleS, bandMs: t.convergenceBandMs, thresholdS: t.slowConvergenceS },
    });
  }
  const settled = summarize(medians.slice(settle).map((m) => m.valueMs)).p50!;
  if (Math.abs(settled) > t.residualOffsetMs) {
    anomalies.push({
      name: "residual-offset",
      stream: "av",
      message: `Once settled, the A/V offset (${series.method}) stays at ${fmt(settled)} ms (positive = audio leads).`,
      evidence: { method: series.method, settledOffsetMs: settled, settledAfterS: settleS, thresholdMs: t.residualOffsetMs },
    });
  }
  return anomalies;
}

// Medians of fixed windows from the first point; with no window every point is its own reading.
function windowMedians(points: readonly [number, number][], windowMs: number | null): { startMs: number; valueMs: number }[] {
  if (windowMs === null) return points.map(([x, y]) => ({ startMs: x, valueMs: y }));
  const groups = new Map<number, number[]>();
  for (const [x, y] of points) {
    const w = Math.floor((x - points[0]![0]) / windowMs);
    const group = groups.get(w);
    if (group) group.push(y);
    else groups.set(w, [y]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([w, ys]) => ({ startMs: points[0]![0] + w * windowMs, valueMs: summarize(ys).p50! }));
}

function fmt(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
