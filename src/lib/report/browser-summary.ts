import { formatOffsetMs, type Summary } from "../analysis/index.js";
import type { BrowserMeasurements } from "../browser/index.js";

const ms = formatOffsetMs;
const figures = (s: Summary): string => `median ${ms(s.p50)}, mean ${ms(s.mean)}, p5…p95 ${ms(s.p5)} … ${ms(s.p95)} (${s.count})`;

function syncLine(browser: BrowserMeasurements): string {
  const sync = browser.chromiumSync;
  const connected = browser.timesMs.connected ?? 0;
  const steady = sync.steady;
  const at = (tMs: number): string => `${((tMs - connected) / 1000).toFixed(1)} s`;
  const settled = steady === null ? "never held still" : `steady from ${at(steady.fromMs)}${steady.toMs === null ? " to the end" : ` until its next change at ${at(steady.toMs)}`}`;
  const residual = sync.residualMs === null ? "" : `, its own residual ${ms(sync.residualMs)} (dead band ±${sync.deadBandMs} ms)`;
  const source = sync.logged ? "" : " (from getStats; Chromium's log was not available)";
  return `${sync.changes.length} change(s), ${settled}${residual}${source}`;
}

/** The browser probe's few lines for the terminal: what the viewer saw and heard, and what Chromium did. */
export function renderBrowserSummary(browser: BrowserMeasurements): string {
  const lines = [
    `Browser (${browser.browser.version}, audio clock ${browser.browser.audioClock ?? "n/a"}): ${browser.markers.paired} markers paired of ${browser.markers.flashes} flashes / ${browser.markers.beeps} beeps`,
    `  rendered offset   ${figures(browser.renderedOffsetMs)}`,
    `  steady            ${browser.steadyOffsetMs.count ? figures(browser.steadyOffsetMs) : "none: Chromium's A/V sync was still moving (it takes 10–40 s to hold still; run longer)"}`,
    `  Chromium's sync   ${syncLine(browser)}`,
    `  jitter buffers    audio ${ms(browser.jitterBufferMs.audio.p50)} (target ${ms(browser.jitterBufferMs.audioTarget.p50)}), video ${ms(browser.jitterBufferMs.video.p50)} (target ${ms(browser.jitterBufferMs.videoTarget.p50)})`,
    `  frames            presented ${browser.frames.presented}, decoded ${browser.frames.decoded ?? "n/a"}, dropped ${browser.frames.dropped ?? "n/a"}, content frames skipped ${browser.frames.skipped} (never presented ${browser.frames.notPresented}), flashes timed back from the next frame ${browser.markers.series.filter((m) => m.flashEstimated).length}, named by RTP timestamp ${browser.markers.series.filter((m) => m.flashNamedByRtp).length} (late callbacks ${browser.frames.drawnAhead}), flashes never presented ${browser.markers.unseenFlashes.length}; concealed audio samples ${browser.audio.concealedSamples ?? "n/a"}`,
  ];
  if (browser.comparison) lines.push(`  ${browser.comparison.explanation}`);
  if (browser.error) lines.push(`  error: ${browser.error}`);
  return lines.join("\n");
}
