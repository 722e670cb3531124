import { formatOffsetMs, summarize } from "../analysis/index.js";
import type { PatternOptions } from "../media/index.js";
import { runBrowserProbe } from "./browser-probe.js";
import { estimateAt } from "./chromium-sync.js";
import type { BrowserMeasurements } from "./browser-result.js";

/** Which receivers a bench runs: avsync's node probe, headless Chromium on the viewer page, or both. */
export type ProbeKind = "node" | "browser";

/** Parses `--probe node,browser`, quoting a bad value back. */
export function parseProbeKinds(value: string): ProbeKind[] {
  const kinds = value.split(",").map((k) => k.trim()).filter(Boolean);
  const bad = kinds.find((k) => k !== "node" && k !== "browser");
  if (bad !== undefined || kinds.length === 0) throw new Error(`Expected \`--probe\` to be \`node\`, \`browser\` or \`node,browser\`, got \`${value}\`.`);
  return [...new Set(kinds)] as ProbeKind[];
}

/** A browser watching the embedded target during a bench. */
export interface BrowserWatch {
  /** Settles once the page plays (or the watch failed): the node probe's session starts after it. */
  connected: Promise<void>;
  /** The measurements, or the reason there are none. */
  done: Promise<{ measurements: BrowserMeasurements | null; error: string | null }>;
}

/** Starts headless Chromium on the embedded target's viewer page (`/` of its HTTP server). */
export function watchInBrowser(
  options: { targetWsUrl: string; pattern: PatternOptions; durationMs: number; signal?: AbortSignal },
  onPhase?: (phase: string) => void,
): BrowserWatch {
  const pageUrl = new URL("/", options.targetWsUrl.replace(/^ws/, "http")).href;
  let markConnected!: () => void;
  const connected = new Promise<void>((resolve) => (markConnected = resolve));
  onPhase?.(`opening ${pageUrl} in headless Chromium`);
  const done = runBrowserProbe({
    pageUrl,
    durationMs: options.durationMs,
    markerPeriodMs: options.pattern.markerPeriodS * 1000,
    signal: options.signal,
    onConnected: markConnected,
    onFirstMarker: () => onPhase?.("Chromium showed and played its first marker"),
  }).then(
    (measurements) => ({ measurements, error: measurements.error ? `browser probe: ${measurements.error}` : null }),
    (error: Error) => ({ measurements: null, error: `browser probe: ${error.message}` }),
  );
  void done.then(markConnected);
  return { connected, done };
}

/** What Chromium did with the stream, set against what its timestamps and its arrival say. */
export interface BrowserComparison {
  /** Median rendered offset in Chromium's steady stretch; null when it never held still within the run. */
  renderedMs: number | null;
  /** Median rendered offset before Chromium's first change: what a viewer gets in the first seconds. */
  initialMs: number | null;
  /** Seconds from the connection to the start of the steady stretch; null without one. */
  steadyAfterS: number | null;
  /** What the stream's timestamps say: the node probe's sender-clock median, or the injected content + timestamp offsets. */
  senderClockMs: number | null;
  senderClockSource: "node-probe" | "injected";
  /** The node probe's median at arrival; null without the node probe. */
  arrivalMs: number | null;
  /** The offset Chromium itself believes it leaves in the steady stretch (its log); within about its ±30 ms dead band. */
  chromiumResidualMs: number | null;
  /**
   * rendered − (sender clock + Chromium's residual at the time): how far the page's measurement is
   * from Chromium's own account, i.e. what Chromium does not model (vsync phase, compositor, audio
   * device). One value per marker that has Chromium's view in effect: [flashDisplayMs, ms].
   */
  agreementMs: [number, number][];
  /** rendered − arrival: how far Chromium's playout moved the offset from what the network delivered. */
  movedFromArrivalMs: number | null;
  /**
   * With a schedule or timestamp error (sender clock and arrival ≥ 10 ms apart): the share of the
   * gap Chromium's playout followed towards the timestamps (100 = all of it, 0 = none), from the
   * median of rendered − Chromium's residual over the markers it had a view of. It corrects a
   * schedule error and introduces a timestamp error by the same rule.
   */
  followedTimestampsPct: number | null;
  explanation: string;
}

const ms = formatOffsetMs;

/**
 * Explains the browser's rendered offset from Chromium's sync log and the stream's own readings:
 * Chromium re-times by Sender Reports, so once steady it renders the sender-clock offset plus the
 * residual it leaves inside its dead band, whatever arrival said.
 */
export function compareBrowser(browser: BrowserMeasurements, sender: { ms: number | null; source: "node-probe" | "injected" }, arrivalMs: number | null): BrowserComparison {
  const sync = browser.chromiumSync;
  const connected = browser.timesMs.connected;
  const firstChange = sync.changes[0]?.tMs ?? null;
  const initial = browser.markers.series.filter((m) => firstChange === null || m.flashDisplayMs < firstChange).map((m) => m.renderedOffsetMs);
  const renderedMs = browser.steadyOffsetMs.p50;
  const initialMs = firstChange === null ? null : summarize(initial).p50;
  const steadyAfterS = sync.steady !== null && connected !== null && renderedMs !== null ? Math.max(0, sync.steady.fromMs - connected) / 1000 : null;
  const agreementMs: [number, number][] =
    sender.ms === null
      ? []
      : browser.markers.series.flatMap((m) => {
          const estimate = estimateAt(sync, m.flashDisplayMs);
          return estimate ? [[m.flashDisplayMs, m.renderedOffsetMs - (sender.ms! + estimate.residualMs)] as [number, number]] : [];
        });
  const movedFromArrivalMs = renderedMs !== null && arrivalMs !== null ? renderedMs - arrivalMs : null;
  const gap = sender.ms !== null && arrivalMs !== null ? sender.ms - arrivalMs : null;
  const residual = sync.residualMs;
  // What the viewer got with Chromium's own leftover taken out, over every marker it had a view of
  // (its estimates need not fall inside the steady stretch): sender clock + the page's agreement.
  const retimedMs = summarize(agreementMs.map(([, a]) => sender.ms! + a)).p50;
  const followedTimestampsPct = gap !== null && Math.abs(gap) >= 10 && retimedMs !== null ? ((retimedMs - arrivalMs!) / gap) * 100 : null;

  const parts: string[] = [];
  if (browser.markers.paired === 0) parts.push("The browser paired no markers, so there is nothing to explain.");
  else {
    const video = sync.changes.at(-1);
    const changes = sync.changes.length
      ? `${sync.changes.length} change${sync.changes.length === 1 ? "" : "s"} of its A/V sync (video delayed to ${video!.videoDelayMs} ms${video!.audioExtraMs ? `, audio by ${video!.audioExtraMs} ms` : ""})`
      : "no change of its A/V sync";
    if (renderedMs === null) {
      parts.push(`Chromium was still moving when the run ended (${changes}; median so far ${ms(browser.renderedOffsetMs.p50)}); run longer, it takes 10–40 s to hold still.`);
    } else {
      const until = sync.steady!.toMs === null ? "to the end" : `until it moved again at ${((sync.steady!.toMs - (connected ?? 0)) / 1000).toFixed(1)} s`;
      parts.push(`Chromium rendered ${ms(renderedMs)} once steady (from ${steadyAfterS!.toFixed(1)} s after connecting ${until}), after ${changes}${initialMs !== null ? `; before its first change it rendered ${ms(initialMs)}` : ""}.`);
    }
    if (sender.ms !== null) {
      const source = sender.source === "node-probe" ? "the node probe's sender clock" : "the injected offsets";
      if (residual !== null) {
        parts.push(
          `The timestamps say ${ms(sender.ms)} (${source}); Chromium's own estimate of what it leaves is ${ms(residual)} (it corrects nothing under ±${sync.deadBandMs} ms), so by its account the viewer gets ${ms(sender.ms + residual)}.`,
        );
      } else if (!sync.logged) parts.push(`The timestamps say ${ms(sender.ms)} (${source}); Chromium's sync log was not available to say what it left.`);
      const agreement = summarize(agreementMs.map(([, a]) => a));
      if (agreement.count) {
        parts.push(`Marker by marker the page measured ${ms(agreement.p50)} (median; ${ms(agreement.min)} … ${ms(agreement.max)} over ${agreement.count}) from Chromium's account at the time: vsync, compositor and audio device, which Chromium does not model.`);
      }
    }
    if (gap !== null && arrivalMs !== null) {
      if (Math.abs(gap) < 10) {
        const content = Math.abs(sender.ms!) >= 10 ? ` Both read ${ms(sender.ms)}: a content error, in the media itself, which no receiver can correct.` : "";
        parts.push(`Arrival (${ms(arrivalMs)}) agrees with the timestamps: the stream carried no schedule or timestamp error for Chromium to act on.${content}`);
      }
      else if (followedTimestampsPct !== null) {
        const kind = gap > 0 ? "schedule error (audio sent late against honest timestamps)" : "timestamp error (timestamps that misplace the audio)";
        const what = gap > 0 ? `it corrected ${followedTimestampsPct.toFixed(0)}% of it` : `${followedTimestampsPct.toFixed(0)}% of it reaches the viewer`;
        parts.push(`Arrival said ${ms(arrivalMs)} and the timestamps ${ms(sender.ms)}: a ${ms(gap)} ${kind}, assuming honest content. Chromium follows the timestamps, so ${what} (rendered − its residual − arrival = ${ms(retimedMs! - arrivalMs)}, median over ${agreementMs.length} markers).`);
      }
    }
  }
  return {
    renderedMs,
    initialMs,
    steadyAfterS,
    senderClockMs: sender.ms,
    senderClockSource: sender.source,
    arrivalMs,
    chromiumResidualMs: residual,
    agreementMs,
    movedFromArrivalMs,
    followedTimestampsPct,
    explanation: parts.join(" "),
  };
}
