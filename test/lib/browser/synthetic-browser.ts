// A browser-probe run shaped like the ones in docs/browser-probe.md, for the browser and gate tests.
import type { ChromiumSyncLine, ViewerPageState } from "../../../src/lib/browser/index.js";

// A run shaped like the ones in docs/browser-probe.md: audio 74 ms, video 21 ms at first; Chromium
// raises video to 33 (at 5 s) and 48 ms (at 9 s) and then leaves −25 ms alone (inside ±30 ms).
const measures: ChromiumSyncLine[] = Array.from({ length: 30 }, (_, i) => ({ kind: "measure", atMs: 2000 + i * 1000, audioDelayMs: 74, relativeDelayMs: 0 }));
export const log: ChromiumSyncLine[] = ([
  ...measures,
  { kind: "change", atMs: 5000, videoDelayMs: 33, audioExtraMs: 0 },
  { kind: "change", atMs: 9000, videoDelayMs: 48, audioExtraMs: 0 },
  { kind: "estimate", atMs: 7000, audioDelayMs: 74, videoDelayMs: 33, relativeDelayMs: 0 },
  { kind: "estimate", atMs: 18000, audioDelayMs: 74, videoDelayMs: 48, relativeDelayMs: 1 },
  { kind: "estimate", atMs: 29000, audioDelayMs: 74, videoDelayMs: 48, relativeDelayMs: 0 },
] satisfies ChromiumSyncLine[]).sort((a, b) => a.atMs - b.atMs);
// What the page measured: the injected −120 ms plus Chromium's offset at the time, plus 5 ms it does not model.
const renderedAt = (tMs: number): number => -120 + 5 + (tMs < 5000 ? -53 : tMs < 9000 ? -41 : -26);
export const markers = Array.from({ length: 30 }, (_, i) => ({ flashDisplayMs: 1500 + i * 1000, renderedOffsetMs: renderedAt(1500 + i * 1000) }));

// The page's raw state for the same run, so compareBrowser sees what bench gives it.
export function pageState(contentMs: number): ViewerPageState {
  return {
    phase: "playing",
    error: null,
    startedAtMs: 0,
    connectedAtMs: 1000,
    firstFrameAtMs: 1100,
    audio: { clock: "track-playout" as const },
    frames: { presented: 900, unreadable: 0, repeated: 0, skipped: 0, compositorMissed: 0, notPresented: 0, drawnAhead: 0 },
    unseenFlashes: [],
    flashes: markers.map((m, i) => ({ markerCode: i % 8, displayMs: m.flashDisplayMs, paired: true })),
    beeps: markers.map((m, i) => ({ markerCode: i % 8, heardMs: m.flashDisplayMs - m.renderedOffsetMs, paired: true })),
    markers: markers.map((m, i) => ({
      markerCode: i % 8,
      flashDisplayMs: m.flashDisplayMs,
      beepHeardMs: m.flashDisplayMs - m.renderedOffsetMs - contentMs + -120,
      beepPullMs: null,
      playoutDelayMs: 30,
      offsetMs: m.renderedOffsetMs - -120 + contentMs,
      flashEstimated: false,
      flashBackFrames: 0,
      flashSpan: null,
      flashNamedByRtp: false,
      flashPresentationMs: m.flashDisplayMs,
      flashRtpTimestamp: null,
      flashCaptureTimeMs: null,
      flashReceiveTimeMs: null,
    })),
    stats: [],
    playoutDelayMs: 30,
  };
}

