import { summarize, type Summary } from "../analysis/index.js";
import type { BrowserComparison } from "./bench-browser.js";
import { analyseChromiumSync, type ChangeSpan, type ChromiumSync } from "./chromium-sync.js";
import type { ChromiumSyncLine } from "./chromium-sync-log.js";

/** One marker as the viewer experienced it; times are on the page's performance.now() clock. */
export interface BrowserMarker {
  /** Order of the marker in the run (0 = the first paired one), to line up with the node probe's markers. */
  markerIndex: number;
  markerCode: number;
  /** requestVideoFrameCallback's expectedDisplayTime of the first presented flash frame. */
  flashDisplayMs: number;
  /**
   * True when the page's frame callback missed the flash frame although the compositor presented it:
   * its display time is then the next frame's minus whole frame periods (up to a vsync off for each).
   */
  flashEstimated: boolean;
  /** How many frame periods an estimated flash was timed back across (0 when it was seen). */
  flashBackFrames: number;
  /**
   * For an estimated flash: the content frames between the last frame the page read and the one it
   * timed the flash from, and the time they really spent on screen (expectedDisplayTime to
   * expectedDisplayTime). Equal to frames × the frame period when presentation kept its cadence;
   * longer when the compositor held a frame, and then the estimate is off by up to the difference.
   */
  flashSpan: { frames: number; ms: number } | null;
  /**
   * True when the canvas already held the next frame as the flash frame's callback ran (it ran late),
   * so the flash was named by the callback's rtpTimestamp rather than read from its pixels; its
   * display time is the callback's own, as for any other flash. Only where RTP timestamps track the
   * content (the paced pusher).
   */
  flashNamedByRtp: boolean;
  flashPresentationMs: number | null;
  flashRtpTimestamp: number | null;
  flashCaptureTimeMs: number | null;
  flashReceiveTimeMs: number | null;
  /** When the beep's first sample left for the speakers (pull time + device playout delay). */
  beepHeardMs: number;
  /** When the audio device pulled the chunk holding the onset (MediaStreamTrackProcessor); null on the Web Audio clock. */
  beepPullMs: number | null;
  playoutDelayMs: number | null;
  /** flashDisplayMs − beepHeardMs: the offset the viewer saw and heard (+ = audio leads). */
  renderedOffsetMs: number;
  /** The same flash against the beep as Web Audio's copy of the track heard it; null if it found none. */
  webAudioOffsetMs: number | null;
}

/** One getStats() row (inbound-rtp or media-playout) with the numeric fields Chromium gave. */
export type BrowserStatsSample = { tMs: number; type: string; kind: string } & Record<string, number | string | null>;

/** What the browser probe measured: the rendered offsets per marker, and Chromium's own view each second. */
export interface BrowserMeasurements {
  browser: { executable: string; version: string; audioClock: "track-playout" | "web-audio" | null };
  /** Page-clock times of the start, the connection and the first frame; null where it never happened. */
  timesMs: { started: number | null; connected: number | null; firstFrame: number | null };
  markers: {
    flashes: number;
    beeps: number;
    paired: number;
    unpairedFlashes: { markerCode: number; atMs: number }[];
    unpairedBeeps: { markerCode: number; atMs: number }[];
    /**
     * Flashes whose frame the browser never presented (the content frame code jumped past it while
     * presentedFrames moved by less), timed where they were due: no viewer saw them, so their beeps stay
     * unpaired. `surelyDropped` is false when a few of the skipped frames were presented and the flash
     * may have been among them, unread.
     */
    unseenFlashes: { markerCode: number; atMs: number; surelyDropped: boolean }[];
    series: BrowserMarker[];
  };
  /** Per-marker rendered offset (the primary reading). */
  renderedOffsetMs: Summary;
  /**
   * The steady part: markers of Chromium's steady stretch (chromiumSync.steady), the last one with no
   * change of its delays. Chromium needs 10–40 s to get there; a shorter run has none.
   */
  steadyOffsetMs: Summary;
  /** Chromium's A/V sync: its log (changes, per-second delays, its own estimates) and where it held still. */
  chromiumSync: ChromiumSync;
  webAudioOffsetMs: Summary;
  /**
   * Chromium's own sync state each second: estimatedPlayoutTimestamp(video) − (audio), the sender-clock
   * (SR-mapped) time on screen minus the one in the speakers; positive = video shown ahead of the sound.
   */
  playoutLagMs: { summary: Summary; series: [number, number][] };
  /** Per-second means from getStats deltas: [tMs, audio jitter buffer delay, its target, video jitter buffer delay, its target]. */
  jitterBufferMs: { audio: Summary; audioTarget: Summary; video: Summary; videoTarget: Summary; series: [number, number | null, number | null, number | null, number | null][] };
  /**
   * Per second, the delay Chromium added on top of what its jitter buffers needed (getStats
   * jitterBufferTargetDelay − jitterBufferMinimumDelay, per emitted sample or frame): its A/V sync
   * (and any jitterBufferTarget) at work, as the page can see it: [tMs, audio, video].
   */
  addedDelayMs: [number, number | null, number | null][];
  /**
   * Content frames as the page saw them: presented (frame callbacks), unreadable, repeated, skipped
   * (code jumps), of the skipped those the compositor did present but the page's callback missed
   * (compositorMissed) and those the browser never presented (notPresented); drawnAhead counts
   * callbacks that ran so late the canvas held the next frame (the presented one is then named by
   * its rtpTimestamp); decoded and dropped are getStats' framesDecoded and framesDropped.
   */
  frames: { presented: number; unreadable: number; repeated: number; skipped: number; compositorMissed: number; notPresented: number; drawnAhead: number; decoded: number | null; dropped: number | null };
  audio: { concealedSamples: number | null; totalSamplesReceived: number | null; playoutDelayMs: number | null };
  stats: BrowserStatsSample[];
  error: string | null;
  /** Set by bench when the node probe ran too: what the browser did with the stream. */
  comparison?: BrowserComparison;
}

/** The raw state the viewer page keeps in `window.avsync`. */
export interface ViewerPageState {
  phase: string;
  error: string | null;
  startedAtMs: number | null;
  connectedAtMs: number | null;
  firstFrameAtMs: number | null;
  audio: { clock: "track-playout" | "web-audio" | null } | null;
  frames: { presented: number; unreadable: number; repeated: number; skipped: number; compositorMissed: number; notPresented: number; drawnAhead: number };
  flashes: { markerCode: number; displayMs: number; paired: boolean }[];
  unseenFlashes: { markerCode: number; nearMs: number; surelyDropped: boolean }[];
  beeps: { markerCode: number; heardMs: number; paired: boolean }[];
  webAudioBeeps?: { markerCode: number; heardMs: number }[];
  markers: Array<Omit<BrowserMarker, "markerIndex" | "renderedOffsetMs" | "webAudioOffsetMs"> & { offsetMs: number }>;
  stats: BrowserStatsSample[];
  playoutDelayMs: number | null;
}

// A per-second getStats delay that moves by more than this is a change (they wander by ~1 ms).
const statsStepMs = 3;

/** Turns the page's raw state into the browser part of a bench result. */
export function measureViewerState(state: ViewerPageState, browser: BrowserMeasurements["browser"], markerPeriodMs: number, syncLog: readonly ChromiumSyncLine[] = []): BrowserMeasurements {
  const webAudio = state.webAudioBeeps ?? [];
  const series: BrowserMarker[] = state.markers.map((m, markerIndex) => {
    const twin = webAudio
      .filter((b) => b.markerCode === m.markerCode && Math.abs(b.heardMs - m.beepHeardMs) < markerPeriodMs / 4)
      .sort((a, b) => Math.abs(a.heardMs - m.beepHeardMs) - Math.abs(b.heardMs - m.beepHeardMs))[0];
    const { offsetMs, ...rest } = m;
    return { markerIndex, ...rest, renderedOffsetMs: offsetMs, webAudioOffsetMs: twin ? m.flashDisplayMs - twin.heardMs : null };
  });
  const rendered = series.map((m) => m.renderedOffsetMs);
  const inbound = state.stats.filter((s) => s.type === "inbound-rtp");
  const byTime = new Map<number, { audio?: BrowserStatsSample; video?: BrowserStatsSample }>();
  for (const s of inbound) {
    const row = byTime.get(s.tMs) ?? {};
    if (s.kind === "audio" || s.kind === "video") row[s.kind] = s;
    byTime.set(s.tMs, row);
  }
  const rows = [...byTime.entries()].sort(([a], [b]) => a - b);
  const lag: [number, number][] = [];
  const jitter: BrowserMeasurements["jitterBufferMs"]["series"] = [];
  const added: BrowserMeasurements["addedDelayMs"] = [];
  let previous: { audio?: BrowserStatsSample; video?: BrowserStatsSample } | undefined;
  for (const [tMs, row] of rows) {
    const ev = row.video?.estimatedPlayoutTimestamp;
    const ea = row.audio?.estimatedPlayoutTimestamp;
    if (typeof ev === "number" && typeof ea === "number") lag.push([tMs, ev - ea]);
    if (previous) {
      const delta = (kind: "audio" | "video", field: string): number | null => {
        const now = row[kind];
        const before = previous![kind];
        const emitted = num(now?.jitterBufferEmittedCount) - num(before?.jitterBufferEmittedCount);
        const value = num(now?.[field]) - num(before?.[field]);
        return emitted > 0 && Number.isFinite(value) ? (value / emitted) * 1000 : null;
      };
      jitter.push([tMs, delta("audio", "jitterBufferDelay"), delta("audio", "jitterBufferTargetDelay"), delta("video", "jitterBufferDelay"), delta("video", "jitterBufferTargetDelay")]);
      const extra = (kind: "audio" | "video"): number | null => {
        const target = delta(kind, "jitterBufferTargetDelay");
        const minimum = delta(kind, "jitterBufferMinimumDelay");
        return target === null || minimum === null ? null : target - minimum;
      };
      added.push([tMs, extra("audio"), extra("video")]);
    }
    previous = row;
  }
  // Without Chromium's log, a change of its added delays or of the audio jitter buffer target marks where the rendered offset moved.
  const statsChanges: ChangeSpan[] = [];
  for (let i = 1; i < jitter.length; i++) {
    const moved = (a: number | null | undefined, b: number | null | undefined): boolean => typeof a === "number" && typeof b === "number" && Math.abs(a - b) > statsStepMs;
    if (moved(added[i]![1], added[i - 1]![1]) || moved(added[i]![2], added[i - 1]![2]) || moved(jitter[i]![2], jitter[i - 1]![2])) statsChanges.push([jitter[i - 1]![0], jitter[i]![0]]);
  }
  const chromiumSync = analyseChromiumSync(syncLog, series, statsChanges);
  const stretch = chromiumSync.steady;
  const steady = stretch === null ? [] : series.filter((m) => m.flashDisplayMs >= stretch.fromMs && (stretch.toMs === null || m.flashDisplayMs < stretch.toMs)).map((m) => m.renderedOffsetMs);
  const column = (i: 1 | 2 | 3 | 4): number[] => jitter.flatMap((row) => (row[i] === null ? [] : [row[i] as number]));
  const last = rows.at(-1)?.[1];
  const unpaired = (events: { markerCode: number; paired: boolean }[], at: (e: never) => number) =>
    events.filter((e) => !e.paired).map((e) => ({ markerCode: e.markerCode, atMs: at(e as never) }));
  return {
    browser,
    timesMs: { started: state.startedAtMs, connected: state.connectedAtMs, firstFrame: state.firstFrameAtMs },
    markers: {
      flashes: state.flashes.length,
      beeps: state.beeps.length,
      paired: series.length,
      unpairedFlashes: unpaired(state.flashes, (e: { displayMs: number }) => e.displayMs),
      unpairedBeeps: unpaired(state.beeps, (e: { heardMs: number }) => e.heardMs),
      unseenFlashes: state.unseenFlashes.map((f) => ({ markerCode: f.markerCode, atMs: f.nearMs, surelyDropped: f.surelyDropped })),
      series,
    },
    renderedOffsetMs: summarize(rendered),
    steadyOffsetMs: summarize(steady),
    chromiumSync,
    webAudioOffsetMs: summarize(series.flatMap((m) => (m.webAudioOffsetMs === null ? [] : [m.webAudioOffsetMs]))),
    playoutLagMs: { summary: summarize(lag.map(([, ms]) => ms)), series: lag },
    jitterBufferMs: { audio: summarize(column(1)), audioTarget: summarize(column(2)), video: summarize(column(3)), videoTarget: summarize(column(4)), series: jitter },
    addedDelayMs: added,
    frames: {
      ...state.frames,
      decoded: typeof last?.video?.framesDecoded === "number" ? last.video.framesDecoded : null,
      dropped: typeof last?.video?.framesDropped === "number" ? last.video.framesDropped : null,
    },
    audio: {
      concealedSamples: typeof last?.audio?.concealedSamples === "number" ? last.audio.concealedSamples : null,
      totalSamplesReceived: typeof last?.audio?.totalSamplesReceived === "number" ? last.audio.totalSamplesReceived : null,
      playoutDelayMs: state.playoutDelayMs,
    },
    stats: state.stats,
    error: state.error,
  };
}

function num(value: unknown): number {
  return typeof value === "number" ? value : Number.NaN;
}
