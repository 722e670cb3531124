// The truth of one embedded-target run, from the pusher's own ledger of what it really sent and when:
// timing tests compare the probe's figures with these, not with the schedule, so a late pusher (a
// busy machine) moves the truth and the measurement together.
import { performance } from "node:perf_hooks";
import type { BenchResult } from "../../src/lib/bench/index.js";
import { measureDriftPpm } from "../../src/lib/analysis/index.js";
import { stallDelayBoundMs } from "../../src/lib/probe/index.js";

export interface MarkerTruth {
  markerIndex: number;
  /** What the probe read at arrival. */
  arrivalOffsetMs: number;
  /** Flash sent − beep sent, from the pusher's ledger: the offset the marker left with. */
  sentOffsetMs: number;
  /** How far the probe's own stalls (its account, result.received.loopStalls) may have moved the two arrival stamps, and the pusher's (result.pacing.loopStalls) the two sends. */
  stallMs: number;
}

/** How far the probe's own loop stalls (its account, result.received.loopStalls) may have moved a marker's two arrival stamps. */
export function probeStallBoundMs(result: BenchResult, m: { flashArrivalMs: number; arrivalOffsetMs: number }): number {
  const loop = result.received.loopStalls ?? { stalls: [] };
  return stallDelayBoundMs(loop, m.flashArrivalMs) + stallDelayBoundMs(loop, m.flashArrivalMs - m.arrivalOffsetMs);
}

/**
 * Each paired marker beside its ledger entry, matched by marker code and time: the flash arrived
 * within half a marker period of being sent (arrival is on this process's clock: runBench ran here).
 */
export function markersAgainstLedger(result: BenchResult): MarkerTruth[] {
  const ledger = result.pacing?.markers ?? [];
  const halfPeriodMs = (result.config.pattern.markerPeriodS * 1000) / 2;
  return result.probe!.content.markers.map((m) => {
    const arrivalUnixMs = performance.timeOrigin + m.flashArrivalMs;
    const sent = ledger.find((s) => s.markerCode === m.markerCode && s.flashSentUnixMs !== null && Math.abs(arrivalUnixMs - s.flashSentUnixMs) < halfPeriodMs);
    if (!sent || sent.beepSentUnixMs === null) throw new Error(`marker ${m.markerIndex} (code ${m.markerCode}) is not in the pusher's ledger: ${JSON.stringify(ledger)}`);
    // The pusher's thread may stall too between stamping a frame as sent and its packets leaving
    // (its own account, in Unix ms): that delays the arrival, not the ledger.
    const pusherLoop = result.pacing?.loopStalls ?? { stalls: [] };
    const stallMs =
      probeStallBoundMs(result, m) + stallDelayBoundMs(pusherLoop, sent.flashSentUnixMs!) + stallDelayBoundMs(pusherLoop, sent.beepSentUnixMs);
    return { markerIndex: m.markerIndex, arrivalOffsetMs: m.arrivalOffsetMs, sentOffsetMs: sent.flashSentUnixMs! - sent.beepSentUnixMs, stallMs };
  });
}

/**
 * The transport relative delay each video frame left with: (video sent − video capture) − (audio sent
 * − audio capture), the audio frame being the last one sent before it, capture times being what the
 * pusher stamped in RTP (its schedule, shifted by a timestamp lie). The probe reads this plus the
 * difference of the two packets' trips through the network and its own receive loop.
 */
export function transportFromLedger(result: BenchResult): number[] {
  const pacing = result.pacing!;
  const anchorMs = pacing.anchorUnixMs!;
  const videoStepMs = 1000 / result.config.pattern.fps;
  const audioStepMs = 20;
  const { scheduleOffsetMs, timestampOffsetMs } = result.config.injections;
  const audio = pacing.audio.latenessMs
    .map(([i, lateMs]) => ({ sentMs: anchorMs + i * audioStepMs - scheduleOffsetMs + lateMs, captureMs: anchorMs + i * audioStepMs - timestampOffsetMs }))
    .sort((a, b) => a.sentMs - b.sentMs);
  const delays: number[] = [];
  let a = -1;
  for (const [j, lateMs] of [...pacing.video.latenessMs].sort((x, y) => x[0] - y[0])) {
    const captureMs = anchorMs + j * videoStepMs;
    const sentMs = captureMs + lateMs;
    while (a + 1 < audio.length && audio[a + 1]!.sentMs <= sentMs) a++;
    if (a < 0) continue;
    delays.push(sentMs - captureMs - (audio[a]!.sentMs - audio[a]!.captureMs));
  }
  return delays;
}

/** Each audio frame's send time (Unix ms) and the time since the frame sent before it, from the ledger. */
export function audioSendIntervals(result: BenchResult): Array<{ sentUnixMs: number; intervalMs: number }> {
  const pacing = result.pacing!;
  const sent = pacing.audio.latenessMs
    .map(([i, lateMs]) => pacing.anchorUnixMs! + i * 20 - result.config.injections.scheduleOffsetMs + lateMs)
    .sort((a, b) => a - b);
  return sent.slice(1).map((sentUnixMs, i) => ({ sentUnixMs, intervalMs: sentUnixMs - sent[i]! }));
}

/**
 * The drift the probe should read from what the pusher did: the same estimator as the probe's, on the
 * ledger's send times instead of arrivals (a paced pusher's RTP is its schedule, so any slope is lateness).
 */
export function ledgerDriftPpm(result: BenchResult, kind: "audio" | "video"): number | null {
  const pacing = result.pacing!;
  const stepMs = kind === "audio" ? 20 : 1000 / 30;
  const shiftMs = kind === "audio" ? -result.config.injections.scheduleOffsetMs : 0;
  const clockHz = kind === "audio" ? 48_000 : 90_000;
  const frames = pacing[kind].latenessMs.map(([i, lateMs]) => ({ arrivalMs: pacing.anchorUnixMs! + i * stepMs + shiftMs + lateMs, rtpTs: (i * stepMs * clockHz) / 1000 }));
  return measureDriftPpm(frames, clockHz);
}
