import { SignedHistogram, summarize, type Anomaly, type EncodedSignedHistogram, type Summary } from "../analysis/index.js";
import type { MarkerSource, ProbeMeasurements } from "../probe/index.js";

/** One probe session of a run, in a few figures; the full measurements of the first are `result.probe`. */
export interface BenchSession {
  index: number;
  /** When the session was started, ms after the first one (the ramp). */
  startOffsetMs: number;
  /** The server's name for the session (`sessionid`, WHEP resource), null when it gave none. */
  sessionId: string | null;
  complete: boolean;
  error: string | null;
  /** Offer sent → peer connection connected. */
  joinTimeMs: number | null;
  received: { audioPackets: number; videoPackets: number };
  markers: { source: MarkerSource | null; paired: number };
  senderOffsetMs: Summary | null;
  arrivalOffsetMs: Summary | null;
  relativeDelayMs: Summary | null;
  lostPackets: { audio: number; video: number } | null;
  jitterMs: { audio: number | null; video: number | null } | null;
  anomalies: Anomaly["name"][];
}

/** Figures across sessions: how far apart viewers of the same server are, and who had it worst. */
export interface BenchAggregate {
  requested: number;
  connected: number;
  measured: number;
  failed: number;
  rampPerS: number;
  joinTimeMs: Summary;
  /** Each session's median offset, summarised across sessions. */
  senderOffsetP50Ms: Summary;
  arrivalOffsetP50Ms: Summary;
  relativeDelayP50Ms: Summary;
  /** The session whose median offset is furthest from zero, by the best method that has data. */
  worstSession: { index: number; method: "content, sender clock" | "content, at arrival" | "transport relative delay"; offsetMs: number } | null;
  lostPackets: { audio: number; video: number };
}

/** The per-session line of result.json. */
export function summarizeSession(
  index: number,
  startOffsetMs: number,
  outcome: { sessionId: string | null; joinTimeMs: number | null; received: { audioPackets: number; videoPackets: number }; error: string | null },
  probe: ProbeMeasurements | null,
): BenchSession {
  return {
    index,
    startOffsetMs,
    sessionId: outcome.sessionId,
    complete: outcome.error === null && probe !== null,
    error: outcome.error,
    joinTimeMs: outcome.joinTimeMs,
    received: outcome.received,
    markers: { source: probe?.markers.source ?? null, paired: probe?.markers.paired ?? 0 },
    senderOffsetMs: probe?.content.senderOffsetMs ?? null,
    arrivalOffsetMs: probe?.content.arrivalOffsetMs ?? null,
    relativeDelayMs: probe?.transport.relativeDelayMs ?? null,
    lostPackets: probe ? { audio: probe.continuity.audio.sequenceGaps.lostPackets, video: probe.continuity.video.sequenceGaps.lostPackets } : null,
    jitterMs: probe ? { audio: probe.continuity.audio.jitterMs.final, video: probe.continuity.video.jitterMs.final } : null,
    anomalies: probe?.anomalies?.map((a) => a.name) ?? [],
  };
}

/** Across-session figures: the offset distribution, the worst session, join times, losses. */
export function aggregateSessions(sessions: readonly BenchSession[], rampPerS: number): BenchAggregate {
  const medians = (pick: (s: BenchSession) => Summary | null): number[] => sessions.flatMap((s) => (pick(s)?.p50 == null ? [] : [pick(s)!.p50!]));
  const methods = [
    ["content, sender clock", (s: BenchSession) => s.senderOffsetMs],
    ["content, at arrival", (s: BenchSession) => s.arrivalOffsetMs],
    ["transport relative delay", (s: BenchSession) => s.relativeDelayMs],
  ] as const;
  let worstSession: BenchAggregate["worstSession"] = null;
  for (const [method, pick] of methods) {
    const candidates = sessions.filter((s) => pick(s)?.p50 != null);
    if (candidates.length === 0) continue;
    const worst = candidates.reduce((a, b) => (Math.abs(pick(b)!.p50!) > Math.abs(pick(a)!.p50!) ? b : a));
    worstSession = { index: worst.index, method, offsetMs: pick(worst)!.p50! };
    break;
  }
  return {
    requested: sessions.length,
    connected: sessions.filter((s) => s.joinTimeMs !== null).length,
    measured: sessions.filter((s) => s.complete).length,
    failed: sessions.filter((s) => !s.complete).length,
    rampPerS,
    joinTimeMs: summarize(sessions.flatMap((s) => (s.joinTimeMs === null ? [] : [s.joinTimeMs]))),
    senderOffsetP50Ms: summarize(medians((s) => s.senderOffsetMs)),
    arrivalOffsetP50Ms: summarize(medians((s) => s.arrivalOffsetMs)),
    relativeDelayP50Ms: summarize(medians((s) => s.relativeDelayMs)),
    worstSession,
    lostPackets: {
      audio: sessions.reduce((sum, s) => sum + (s.lostPackets?.audio ?? 0), 0),
      video: sessions.reduce((sum, s) => sum + (s.lostPackets?.video ?? 0), 0),
    },
  };
}

/** A distribution over every session, with the HDR histogram it was read from (what `report --merge` adds). */
export interface PooledTrend {
  summary: Summary;
  histogram: EncodedSignedHistogram;
}

/**
 * Every session's markers in one distribution, and every session's join time: what a gate judges when
 * a run has many viewers, and what shards of one run add up exactly (issue 15). Percentiles by nearest
 * rank from HDR counts, each value to 0.01 %.
 */
export interface BenchPooled {
  sessions: number;
  senderOffsetMs: PooledTrend;
  arrivalOffsetMs: PooledTrend;
  joinTimeMs: PooledTrend;
}

export type PooledHistograms = Record<Exclude<keyof BenchPooled, "sessions">, SignedHistogram>;

/** Pools the given values per figure. */
export function pooledFrom(sessions: number, values: { senderOffsetMs: number[]; arrivalOffsetMs: number[]; joinTimeMs: number[] }): BenchPooled {
  return pooledOf(sessions, {
    senderOffsetMs: SignedHistogram.ofMs(values.senderOffsetMs),
    arrivalOffsetMs: SignedHistogram.ofMs(values.arrivalOffsetMs),
    joinTimeMs: SignedHistogram.ofMs(values.joinTimeMs),
  });
}

export function pooledOf(sessions: number, histograms: PooledHistograms): BenchPooled {
  const trend = (h: SignedHistogram): PooledTrend => ({ summary: h.summary(), histogram: h.encode() });
  return { sessions, senderOffsetMs: trend(histograms.senderOffsetMs), arrivalOffsetMs: trend(histograms.arrivalOffsetMs), joinTimeMs: trend(histograms.joinTimeMs) };
}

/** Adds shards' pooled figures: the histograms add, the summaries are read again from the sum. */
export function addPooled(parts: readonly BenchPooled[]): BenchPooled {
  const sum: PooledHistograms = { senderOffsetMs: SignedHistogram.empty(), arrivalOffsetMs: SignedHistogram.empty(), joinTimeMs: SignedHistogram.empty() };
  for (const part of parts) for (const key of Object.keys(sum) as (keyof PooledHistograms)[]) sum[key].add(SignedHistogram.decode(part[key].histogram));
  return pooledOf(parts.reduce((n, p) => n + p.sessions, 0), sum);
}
