// Each named anomaly fires on the evidence it is documented for (docs/targets.md), and a clean
// stream raises none.
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import {
  analyzeContinuity,
  findSyncAnomalies,
  type AnomalyStreamInput,
  type OffsetSeries,
  type SenderReportPoint,
} from "../../../src/lib/analysis/index.js";
import { synthesizeStream } from "./synthetic-streams.js";

const T0 = 1_754_000_000_000;

function stream(kind: "audio" | "video", opts: { stepJitterTicks?: number; srs?: SenderReportPoint[]; queueMs?: (i: number) => number } = {}): AnomalyStreamInput {
  const video = kind === "video";
  const stepTicks = video ? 3000 : 960;
  const frameMs = video ? 1000 / 30 : 20;
  const frames = video ? 150 : 250;
  const packets = synthesizeStream({ frames, stepTicks, frameIntervalMs: frameMs, baseTs: 1000, baseSeq: 10 });
  if (opts.stepJitterTicks) packets.forEach((p, i) => (p.rtpTs += (i * 7919) % opts.stepJitterTicks!));
  const rate = video ? 90_000 : 48_000;
  const srs = opts.srs ?? [0, 1, 2, 3, 4].map((s) => ({ ntpMs: T0 + s * 1000, rtpTicks: 1000 + s * rate, arrivalMs: 1040 + s * 1000 }));
  return {
    continuity: analyzeContinuity(packets, { kind, clockRateHz: rate, expectedStepTicks: stepTicks }),
    senderReports: srs,
    transitMs: Array.from({ length: frames }, (_, i): [number, number] => [1000 + i * frameMs, 40 + (opts.queueMs?.(i) ?? 0)]),
  };
}

const flat = (valueMs: number, n = 6): OffsetSeries => ({
  method: "content, sender clock",
  points: Array.from({ length: n }, (_, i): [number, number] => [1000 + i * 1000, valueMs]),
  windowMs: null,
});

const names = (input: Parameters<typeof findSyncAnomalies>[0]) => findSyncAnomalies(input).map((a) => `${a.name}/${a.stream}`);

describe("findSyncAnomalies", () => {
  test("a clean, synced stream raises nothing", () => {
    assert.deepEqual(names({ audio: stream("audio"), video: stream("video"), offset: flat(2) }), []);
  });

  test("missing Sender Reports", () => {
    assert.deepEqual(names({ audio: stream("audio", { srs: [] }), video: stream("video"), offset: null }), ["missing-sender-reports/audio"]);
  });

  test("broken SR clock: an NTP step that the RTP clock does not make, with its evidence", () => {
    const srs = [0, 1, 2, 3].map((s) => ({ ntpMs: T0 + s * 1000 + (s === 2 ? 400 : 0), rtpTicks: s * 90_000, arrivalMs: 1000 + s * 1000 }));
    const found = findSyncAnomalies({ audio: stream("audio"), video: stream("video", { srs }), offset: null });
    const broken = found.find((a) => a.name === "broken-sr-clock")!;
    assert.equal(broken.stream, "video");
    assert.equal(broken.evidence.worstResidualMs, 400);
    assert.equal(broken.evidence.atSenderReport, 2);
  });

  test("SR clock skew: the two streams' SR clocks disagree about now", () => {
    const rate = 90_000;
    const srs = [0, 1, 2, 3, 4].map((s) => ({ ntpMs: T0 - 300 + s * 1000, rtpTicks: 1000 + s * rate, arrivalMs: 1040 + s * 1000 }));
    const skew = findSyncAnomalies({ audio: stream("audio"), video: stream("video", { srs }), offset: null }).find((a) => a.name === "sr-clock-skew")!;
    assert.equal(skew.evidence.skewMs, 300);
  });

  test("irregular timestamps: PTS stamped at pull time", () => {
    assert.deepEqual(names({ audio: stream("audio"), video: stream("video", { stepJitterTicks: 400 }), offset: null }), ["irregular-timestamps/video"]);
  });

  test("excess buffering: frames held back in bursts", () => {
    const found = names({ audio: stream("audio", { queueMs: (i) => (i % 50 < 10 ? 180 : 0) }), video: stream("video"), offset: null });
    assert.deepEqual(found, ["excess-buffering/audio"]);
  });

  test("unbounded drift and never converged: an offset that keeps moving", () => {
    const drifting: OffsetSeries = { method: "content, sender clock", points: [0, 1, 2, 3, 4, 5].map((s): [number, number] => [1000 + s * 1000, 60 * s]), windowMs: null };
    const found = findSyncAnomalies({ audio: stream("audio"), video: stream("video"), offset: drifting });
    assert.deepEqual(found.map((a) => a.name), ["unbounded-drift", "never-converged"]);
    assert.equal(Math.round(found[0]!.evidence.slopeMsPerS as number), 60);
  });

  test("slow convergence and a residual offset once settled", () => {
    const points = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s): [number, number] => [1000 + s * 1000, s < 7 ? 200 - s * 20 : 70]);
    const found = findSyncAnomalies({ audio: stream("audio"), video: stream("video"), offset: { method: "content, sender clock", points, windowMs: null } });
    const slow = found.find((a) => a.name === "slow-convergence")!;
    assert.ok((slow.evidence.settleS as number) > 5, JSON.stringify(slow.evidence));
    assert.equal(found.find((a) => a.name === "residual-offset")!.evidence.settledOffsetMs, 70);
  });

  test("a steady content offset is a residual offset, nothing else", () => {
    assert.deepEqual(names({ audio: stream("audio"), video: stream("video"), offset: flat(-100) }), ["residual-offset/av"]);
  });
});
