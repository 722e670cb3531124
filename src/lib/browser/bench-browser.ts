import type { Summary } from "../analysis/index.js";
import type { PatternOptions } from "../media/index.js";
import { runBrowserProbe } from "./browser-probe.js";
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
  }).then(
    (measurements) => ({ measurements, error: measurements.error ? `browser probe: ${measurements.error}` : null }),
    (error: Error) => ({ measurements: null, error: `browser probe: ${error.message}` }),
  );
  void done.then(markConnected);
  return { connected, done };
}

/** What the browser did with the stream, set against the node probe's readings of the same run. */
export interface BrowserComparison {
  /** Medians (ms): rendered in Chromium, and the node probe's content offset on the sender clock and at arrival. */
  renderedMs: number | null;
  senderClockMs: number | null;
  arrivalMs: number | null;
  /** rendered − arrival: how far Chromium's playout moved the offset from what the network delivered. */
  movedFromArrivalMs: number | null;
  /** rendered − sender clock: Chromium's error against the timestamps (its own pipeline plus what it did not correct). */
  offFromSenderClockMs: number | null;
  explanation: string;
}

// One decimal and a sign, the way offsets are printed everywhere.
const ms = (value: number | null): string => (value === null ? "n/a" : `${value >= 0 ? "+" : ""}${value.toFixed(1)} ms`);

/**
 * Sets the browser's rendered offset beside the node probe's two content readings. A browser that
 * syncs on Sender Reports follows the sender clock: it corrects a schedule error (arrival ≠ sender
 * clock) and introduces a timestamp error (sender clock ≠ arrival); its own pipeline adds a
 * constant of its own (see docs/browser-probe.md), read as offFromSenderClockMs with no injection.
 */
export function compareWithNodeProbe(rendered: Summary, nodeSender: Summary, nodeArrival: Summary): BrowserComparison {
  const r = rendered.p50;
  const s = nodeSender.p50;
  const a = nodeArrival.p50;
  const moved = r !== null && a !== null ? r - a : null;
  const off = r !== null && s !== null ? r - s : null;
  let explanation: string;
  if (r === null) explanation = "The browser paired no markers, so there is nothing to compare.";
  else if (s === null || a === null) explanation = `Chromium rendered ${ms(r)}; the node probe has no content offset to compare with.`;
  else {
    const gap = s - a;
    const what =
      Math.abs(gap) < 10
        ? "Sender clock and arrival agree, so the stream carried no schedule or timestamp error for the browser to act on; what differs is Chromium's own playout"
        : `Sender clock and arrival differ by ${ms(gap)}: ${gap > 0 ? "audio arrived late against its timestamps (a schedule error) or the timestamps put it early" : "audio arrived early against its timestamps or the timestamps put it late (a timestamp error)"}. A browser that re-times by Sender Reports lands near the sender-clock reading plus its own constant`;
    explanation = `Chromium rendered ${ms(r)} (median); the node probe read ${ms(s)} on the sender clock and ${ms(a)} at arrival. Playout moved the offset by ${ms(moved)} from arrival and sits ${ms(off)} from the sender clock. ${what}.`;
  }
  return { renderedMs: r, senderClockMs: s, arrivalMs: a, movedFromArrivalMs: moved, offFromSenderClockMs: off, explanation };
}
