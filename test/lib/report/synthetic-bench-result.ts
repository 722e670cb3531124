// A schema-valid bench result of any length without running a bench: what the render benchmark
// and the renderer tests draw. Figures follow a clean paced run with a little jitter and an
// optional content offset; `strings` lets a test push hostile text through every string field.
import { countValues, summarize, type ContinuityReport } from "../../../src/lib/analysis/index.js";
import { aggregateSessions, type BenchResult, type BenchSession } from "../../../src/lib/bench/index.js";

export interface SyntheticBenchOptions {
  durationS?: number;
  contentOffsetMs?: number;
  /** Replaces the run's free-text fields (incomplete reason, target URL, flags, explanation). */
  hostile?: string;
  seed?: number;
  /** Probe sessions (`bench --sessions N`): each gets its own offset, session N−1 is the worst; the probe names two anomalies. */
  sessions?: number;
}

// Session i reads offset + i ms (the last is the worst); the hostile text, when given, is the last session's id and an anomaly's evidence.
function withSessions(result: BenchResult, count: number, rand: () => number, text: string | undefined): BenchResult {
  const offsetMs = result.config.injections.contentOffsetMs;
  const sessions = Array.from({ length: count }, (_, i): BenchSession => {
    const spread = (width: number) => summarize(Array.from({ length: result.config.durationS }, () => offsetMs + i + (rand() - 0.5) * width));
    return {
      index: i,
      startOffsetMs: i * 100,
      sessionId: i === count - 1 && text !== undefined ? text : `session-${i}`,
      complete: true,
      error: null,
      joinTimeMs: 300 + i * 15,
      received: result.received,
      markers: { source: "indexed", paired: result.config.durationS },
      senderOffsetMs: spread(0.2),
      arrivalOffsetMs: spread(4),
      relativeDelayMs: spread(6),
      lostPackets: { audio: i % 2, video: i === count - 1 ? 3 : 0 },
      jitterMs: { audio: 0.6, video: 0.8 },
      anomalies: i === 0 ? ["excess-buffering", "sr-clock-skew"] : [],
    };
  });
  const probe = result.probe!;
  return {
    ...result,
    config: { ...result.config, sessions: { count, rampPerS: 10 } },
    probe: {
      ...probe,
      markers: { ...probe.markers, source: "indexed" },
      anomalies: [
        { name: "excess-buffering", stream: "video", message: "Video is held back and released in bursts.", evidence: { queueingP50Ms: 12.34, queueingP95Ms: 131.5 } },
        { name: "sr-clock-skew", stream: "av", message: "The audio and video SR clocks disagree about now.", evidence: { skewMs: 61.25, note: text ?? "lower envelopes" } },
      ],
    },
    sessions,
    aggregate: aggregateSessions(sessions, 10),
  };
}

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function continuity(kind: "audio" | "video", frames: number, frameMs: number, stepTicks: number, clockRateHz: number, rand: () => number): ContinuityReport {
  const arrivals = Array.from({ length: frames }, (_, i) => 500 + i * frameMs + rand() * 2);
  const steps: [number, number][] = arrivals.slice(1).map((ms, i) => [ms, i === Math.floor(frames / 2) ? stepTicks * 2 : stepTicks]);
  const intervals: [number, number][] = arrivals.slice(1).map((ms, i) => [ms, ms - arrivals[i]!]);
  const jitter: [number, number][] = arrivals.slice(1).map((ms, i) => [ms, 0.5 + 0.3 * Math.sin(i / 50) + rand() * 0.2]);
  return {
    kind,
    clockRateHz,
    expectedStepTicks: stepTicks,
    toleranceTicks: stepTicks / 10,
    packets: frames,
    frames,
    stepHistogram: countValues(steps.map(([, s]) => s)),
    stepsExact: (steps.length - 1) / steps.length,
    meanStepTicks: summarize(steps.map(([, s]) => s)).mean,
    discontinuities: [],
    missingFrames: [Math.floor(frames / 2)],
    backwardJumps: [],
    duplicates: 0,
    reordered: 0,
    wraps: 0,
    sequenceGaps: { lostPackets: 1, ranges: [{ fromSeq: 1000, toSeq: 1000, count: 1 }] },
    jitterMs: { final: jitter.at(-1)?.[1] ?? null, series: jitter },
    arrivalIntervalMs: summarize(intervals.map(([, v]) => v)),
    driftPpm: 12,
    audioGaps: kind === "audio" ? { count: 0, gaps: [] } : null,
    series: { stepTicks: steps, arrivalIntervalMs: intervals },
  };
}

/** A bench result of `durationS` seconds (default 600) that validates against schema/bench-result.v1.schema.json. */
export function syntheticBenchResult(options: SyntheticBenchOptions = {}): BenchResult {
  const durationS = options.durationS ?? 600;
  const offsetMs = options.contentOffsetMs ?? 0;
  const rand = random(options.seed ?? 7);
  const text = options.hostile;
  const markers = Array.from({ length: durationS }, (_, i) => ({
    markerIndex: i,
    markerCode: i % 8,
    flashArrivalMs: 1000 + i * 1000,
    senderOffsetMs: offsetMs + (rand() - 0.5) * 0.2,
    arrivalOffsetMs: offsetMs + (rand() - 0.5) * 4,
  }));
  const transport: [number, number][] = Array.from({ length: durationS * 30 }, (_, i) => [500 + i * (1000 / 30), (rand() - 0.5) * 6]);
  const audio = continuity("audio", durationS * 50, 20, 960, 48_000, rand);
  const video = continuity("video", durationS * 30, 1000 / 30, 3000, 90_000, rand);
  const sender = summarize(markers.map((m) => m.senderOffsetMs));
  const arrival = summarize(markers.map((m) => m.arrivalOffsetMs));
  const judge = (s: typeof sender) => ({ preset: "itu-detect" as const, lowMs: -125, highMs: 45, pass: s.min! >= -125 && s.max! <= 45, worstMs: s.max });
  const lateness = (n: number): Array<[number, number]> => Array.from({ length: n }, (_, i) => [i, rand() < 0.98 ? rand() * 0.5 : 1 + rand() * 4]);
  const result: BenchResult = {
    schema: "avsync/bench-result",
    schemaVersion: 1,
    complete: text === undefined,
    incompleteReason: text ?? null,
    meta: {
      command: "bench",
      avsyncVersion: "0.1.0",
      nodeVersion: process.version,
      weriftVersion: "0.25.2",
      kernel: "6.1.0",
      platform: "linux-x64",
      cpuCount: 2,
      cpuModel: text ?? "Synthetic CPU",
      hostname: text ?? "synthetic",
      startedAt: "2025-01-01T10:00:00.000Z",
      durationS: durationS + 2,
      flags: { duration: String(durationS), pusher: "paced", ...(text === undefined ? {} : { "content-offset-ms": text, out: text }) },
    },
    config: {
      target: { kind: "embedded", url: text ?? "ws://127.0.0.1:40000/ws" },
      pusher: "paced",
      durationS,
      pattern: { fps: 30, width: 320, height: 180, markerPeriodS: 1, loopMarkers: 8, beepMs: 100, contentOffsetMs: offsetMs, allKeyframes: false, videoCodec: "vp8", videoBitrateBps: null, mediaFile: null, leadInS: 0.5 },
      injections: { contentOffsetMs: offsetMs, scheduleOffsetMs: 0, timestampOffsetMs: 0, dropVideoFrames: [], dropAudioFrames: [] },
    },
    expectedMarkers: durationS,
    probe: {
      markers: { flashes: durationS, beeps: durationS, paired: durationS, unpairedFlashes: [], unpairedBeeps: [] },
      content: { markers, senderOffsetMs: sender, arrivalOffsetMs: arrival },
      transport: { series: transport, relativeDelayMs: summarize(transport.map(([, v]) => v)) },
      errorKind: {
        kind: offsetMs ? "content-offset" : "in-sync",
        estimatedMs: offsetMs || null,
        readingsMs: { sender: sender.p50, arrival: arrival.p50, transport: 0 },
        explanation: text ?? "All methods read within ±5 ms.",
      },
      verdict: { sender: judge(sender), arrival: judge(arrival) },
      continuity: { audio, video: { ...video, content: { decoded: durationS * 30, unreadable: 0, repeated: 0, skipped: 0 } } },
      senderReports: { audio: { count: durationS, ntpDriftPpm: 0 }, video: { count: durationS, ntpDriftPpm: 0 } },
    },
    pacing: {
      mode: "paced",
      anchorUnixMs: 1_735_725_600_000,
      audio: { framesScheduled: durationS * 50, framesSent: durationS * 50, framesDroppedByInjection: 0, latenessMs: lateness(durationS * 50), queueDepthMax: 0, queueDrops: 0 },
      video: { framesScheduled: durationS * 30, framesSent: durationS * 30, framesDroppedByInjection: 0, latenessMs: lateness(durationS * 30), repeatedFrames: 0, skippedFrames: 0 },
      eventLoopDelayMs: { p50: 0.1, p99: 1.5, max: 3 },
    },
    received: { audioPackets: durationS * 50, videoPackets: durationS * 30, joinTimeMs: 420 },
  };
  return options.sessions ? withSessions(result, options.sessions, rand, text) : result;
}
