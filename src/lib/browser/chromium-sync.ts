import { summarize } from "../analysis/index.js";
import { chromiumSyncDeadBandMs, type ChromiumSyncLine } from "./chromium-sync-log.js";

/**
 * Chromium's A/V sync over one run, from its own log, with times on the page's clock (ms). libwebrtc
 * delays video (or audio) in steps of ~16 ms, at most one a second, until its filtered estimate of
 * the offset is under 30 ms; from then on the viewer keeps that residual (docs/browser-probe.md).
 */
export interface ChromiumSync {
  /** Whether Chromium's sync log was read; without it the settling point comes from getStats alone. */
  logged: boolean;
  /** The offset Chromium leaves alone (libwebrtc's kMinDeltaMs). */
  deadBandMs: number;
  /** Each change Chromium made: the total video delay and the extra audio delay it asked for. */
  changes: { tMs: number; videoDelayMs: number; audioExtraMs: number }[];
  /** Each second: [tMs, the audio path's total delay, how much later video arrived than audio for the same capture time]. */
  measures: [number, number, number][];
  /**
   * Chromium's own view of the offset, once a second. residualMs = video delay − audio delay +
   * relative delay: the offset (DESIGN sign) it believes the viewer gets for content its timestamps
   * call simultaneous. `logged` ones are its own "Sync info stats" lines (every ~10 s); the others
   * take the audio and relative delay it logs each second and the video delay where it is known:
   * from its last own line, or from its last change when that asked for at least the lowest video
   * delay it ever reported (less than that, video runs at what its buffers need, unknown here).
   */
  estimates: { tMs: number; audioDelayMs: number; videoDelayMs: number; relativeDelayMs: number; residualMs: number; logged: boolean }[];
  /**
   * What the viewer got once Chromium stopped moving: the last stretch of at least 5 markers in which
   * no delay changed (from 1 s after a change to the next one, or to the end). Chromium may still take
   * one more ~16 ms step later, when its slowly filtered estimate crosses 30 ms; toMs says so. A
   * stretch before any change counts only if Chromium's own estimate in it is inside its dead band.
   * null when no stretch qualifies (the run ended while Chromium was still moving).
   */
  steady: { fromMs: number; toMs: number | null; markers: number } | null;
  /** Chromium's residual in the steady stretch (median of its estimates there); null without one. */
  residualMs: number | null;
  /** The spans in which a delay that sets the rendered offset changed (from the log, or getStats without it). */
  changeSpans: ChangeSpan[];
}

/** A span of page time in which one of the delays that set the rendered offset changed. */
export type ChangeSpan = [fromMs: number, toMs: number];

// The audio path's delay wanders by a millisecond from second to second; a step is larger.
const audioStepMs = 3;
// A video delay change reaches the screen over the next frames; a marker within this is not yet steady.
const smoothingMs = 1000;
// How far from an estimate a marker may be to be set against it (estimates come once a second).
const nearMs = 1500;
// A change the log shows between two of its lines may already have reached the screen before the
// earlier one: on a loaded machine the page saw 15 of a 24 ms audio-delay step at 40.75 s, while the
// line at 40.8 s still gave the old delay and only the one at 41.8 s the new. So a marker is not set
// against an estimate within one log period before a change either.
const logPeriodMs = 1000;

/** Reads Chromium's sync log (already on the page clock) against the markers the page measured. */
export function analyseChromiumSync(log: readonly ChromiumSyncLine[], markers: readonly { flashDisplayMs: number; renderedOffsetMs: number }[], statsChanges: readonly ChangeSpan[]): ChromiumSync {
  const changes = log.flatMap((l) => (l.kind === "change" ? [{ tMs: l.atMs, videoDelayMs: l.videoDelayMs, audioExtraMs: l.audioExtraMs }] : []));
  const measures = log.flatMap((l): [number, number, number][] => (l.kind === "measure" ? [[l.atMs, l.audioDelayMs, l.relativeDelayMs]] : []));
  const logged = changes.length + measures.length > 0;
  const spans: ChangeSpan[] = logged ? changes.map((c): ChangeSpan => [c.tMs, c.tMs]) : [...statsChanges];
  for (let i = 1; i < measures.length; i++) {
    if (Math.abs(measures[i]![1] - measures[i - 1]![1]) >= audioStepMs) spans.push([measures[i - 1]![0], measures[i]![0]]);
  }
  const estimates = chromiumEstimates(log, changes, measures);
  const steady = steadyStretch(spans, markers, estimates);
  const inSteady = steady === null ? [] : estimates.filter((e) => e.tMs >= steady.fromMs && (steady.toMs === null || e.tMs < steady.toMs));
  return { logged, deadBandMs: chromiumSyncDeadBandMs, changes, measures, estimates, steady, residualMs: summarize(inSteady.map((e) => e.residualMs)).p50, changeSpans: spans };
}

// Its own lines where it wrote them, and one a second from its per-second line otherwise.
function chromiumEstimates(log: readonly ChromiumSyncLine[], changes: ChromiumSync["changes"], measures: ChromiumSync["measures"]): ChromiumSync["estimates"] {
  const own = log.flatMap((l) =>
    l.kind === "estimate"
      ? [{ tMs: l.atMs, audioDelayMs: l.audioDelayMs, videoDelayMs: l.videoDelayMs, relativeDelayMs: l.relativeDelayMs, residualMs: l.videoDelayMs - l.audioDelayMs + l.relativeDelayMs, logged: true }]
      : [],
  );
  if (own.length === 0) return [];
  // Video's delay is known after one of its own lines, or after a change to at least the lowest delay
  // it ever reported (video then runs at the target); after a change to less, it runs at whatever its
  // buffers need, which only its own lines tell.
  const floorMs = Math.min(...own.map((e) => e.videoDelayMs));
  const videoDelayAt = (tMs: number): number | null => {
    const line = own.filter((e) => e.tMs <= tMs).at(-1);
    const change = changes.filter((c) => c.tMs <= tMs).at(-1);
    if (change && (!line || change.tMs > line.tMs)) return change.videoDelayMs >= floorMs ? change.videoDelayMs : null;
    return line?.videoDelayMs ?? null;
  };
  const derived = measures
    .filter(([tMs]) => own.every((e) => Math.abs(e.tMs - tMs) > tickMs / 2))
    .flatMap(([tMs, audioDelayMs, relativeDelayMs]) => {
      const videoDelayMs = videoDelayAt(tMs);
      return videoDelayMs === null ? [] : [{ tMs, audioDelayMs, videoDelayMs, relativeDelayMs, residualMs: videoDelayMs - audioDelayMs + relativeDelayMs, logged: false }];
    });
  return [...own, ...derived].sort((a, b) => a.tMs - b.tMs);
}

// Chromium's sync runs once a second.
const tickMs = 1000;

// Fewer markers than this between two changes are a pause in Chromium's walk, not where it stays.
const minSteadyMarkers = 5;

function steadyStretch(spans: readonly ChangeSpan[], markers: readonly { flashDisplayMs: number }[], estimates: readonly { tMs: number; residualMs: number }[]): ChromiumSync["steady"] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  // Stretch k runs from 1 s after the end of change k − 1 to the start of change k.
  const stretches: { fromMs: number; toMs: number | null; afterChange: boolean }[] = [];
  let fromMs = Number.NEGATIVE_INFINITY;
  let afterChange = false;
  for (const [start, end] of sorted) {
    if (start > fromMs) stretches.push({ fromMs, toMs: start, afterChange });
    fromMs = Math.max(fromMs, end + smoothingMs);
    afterChange = true;
  }
  stretches.push({ fromMs, toMs: null, afterChange });
  for (const stretch of stretches.reverse()) {
    const inside = (t: number): boolean => t >= stretch.fromMs && (stretch.toMs === null || t < stretch.toMs);
    const shown = markers.filter((m) => inside(m.flashDisplayMs));
    if (shown.length < minSteadyMarkers) continue;
    const ownView = estimates.filter((e) => inside(e.tMs)).at(-1);
    if (!stretch.afterChange && !(ownView && Math.abs(ownView.residualMs) < chromiumSyncDeadBandMs)) continue;
    return { fromMs: Number.isFinite(stretch.fromMs) ? stretch.fromMs : shown[0]!.flashDisplayMs, toMs: stretch.toMs, markers: shown.length };
  }
  return null;
}

/** Chromium's estimate that holds for a marker shown at `tMs` (near it, nothing changed between), or null. */
export function estimateAt(sync: ChromiumSync, tMs: number): ChromiumSync["estimates"][number] | null {
  const candidates = sync.estimates.filter((e) => sameStretch(sync.changeSpans, tMs, e.tMs));
  return candidates.sort((a, b) => Math.abs(a.tMs - tMs) - Math.abs(b.tMs - tMs))[0] ?? null;
}

// Whether a marker shown at `markerMs` and an estimate at `estimateMs` see the same delays: close in
// time, and no change (nor the frames after one that still carry it to the screen, nor the log
// period before one that may already have) between them.
function sameStretch(spans: readonly ChangeSpan[], markerMs: number, estimateMs: number): boolean {
  if (Math.abs(markerMs - estimateMs) > nearMs) return false;
  const from = Math.min(markerMs, estimateMs) - smoothingMs;
  const to = Math.max(markerMs, estimateMs) + logPeriodMs;
  return spans.every(([s, e]) => e < from || s > to);
}
