import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { layOutCodeStrip, toBeepFrequencyHz, type PatternOptions } from "../../media/index.js";
import { describeInjections } from "../../pusher/index.js";
import { onsetDetectorSource, onsetWorkletSource } from "./onset-worklet.js";
import type { ViewerConfig } from "./viewer-config.js";

/** What the page must know about the stream it receives, and where to negotiate it. */
export interface ViewerPageOptions {
  /** The target's WebSocket signaling path on the same host, e.g. `/ws`. */
  wsPath: string;
  pattern: PatternOptions;
  /** Shown on the page so a person knows what error was injected. */
  injections: ViewerConfig["injections"];
  pusher: string;
}

let chartJsSource: string | undefined;
let viewerAppSource: string | undefined;

// The page's own script, written in TypeScript (viewer-app.ts) and bundled by `npm run build`. From
// src/ (tsx) and from dist/ alike, the bundle is four folders up, in dist/page/.
function readViewerApp(): string {
  if (viewerAppSource === undefined) {
    const bundle = new URL("../../../../dist/page/viewer-app.js", import.meta.url);
    try {
      viewerAppSource = readFileSync(bundle, "utf8");
    } catch {
      throw new Error(`The viewer page's script is not built (${bundle.pathname}): run \`npm run build\`.`);
    }
  }
  return viewerAppSource;
}

// The page must work offline: Chart.js is inlined from the installed package, never a CDN.
function readChartJs(): string {
  if (chartJsSource === undefined) {
    const main = createRequire(import.meta.url).resolve("chart.js");
    chartJsSource = readFileSync(join(dirname(main), "chart.umd.js"), "utf8");
  }
  return chartJsSource;
}

// Inlined scripts must not close their own <script> element early.
const inline = (source: string): string => source.replace(/<\/script/gi, "<\\/script");

/** Renders the viewer page: the test pattern with its live measured offset and a small chart. */
export function renderViewerPage(options: ViewerPageOptions): string {
  const { pattern } = options;
  const config: ViewerConfig = {
    wsPath: options.wsPath,
    fps: pattern.fps,
    width: pattern.width,
    height: pattern.height,
    markerPeriodS: pattern.markerPeriodS,
    loopMarkers: pattern.loopMarkers,
    beepMs: pattern.beepMs,
    strip: layOutCodeStrip(pattern.width, pattern.height),
    frequenciesHz: Array.from({ length: pattern.loopMarkers }, (_, k) => toBeepFrequencyHz(k)),
    injections: options.injections,
    // The paced pusher stamps content frame i with RTP timestamp base + i × 90000/fps (whatever is
    // injected), so a presented frame's rtpTimestamp names its content; the seed pusher's does not.
    rtpLockedContent: options.pusher === "paced",
  };
  const injected = describeInjections(options.injections);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>avsync — live lip-sync</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1f2937; max-width: 960px; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
  .row { display: flex; gap: 1.5rem; flex-wrap: wrap; align-items: flex-start; }
  video { width: 480px; max-width: 100%; background: #000; }
  .figures div { margin-bottom: .4rem; }
  #offset { font-size: 2.4rem; font-weight: 600; font-variant-numeric: tabular-nums; }
  .good { color: #16a34a; } .bad { color: #dc2626; }
  #chart-box { position: relative; height: 260px; margin-top: 1rem; }
  button { font-size: 1rem; padding: .4rem 1rem; }
  small { color: #64748b; }
</style>
</head>
<body>
<h1>avsync — what you see and hear</h1>
<p><small>Test pattern: a white flash and a beep once every ${pattern.markerPeriodS} s (beep pitch names the marker).
Pusher <code>${options.pusher}</code>${injected ? `; injected: <code>${injected}</code>` : "; nothing injected"}.
Offset = t(video) − t(audio) as this browser renders it; positive = sound before picture (ITU-R BT.1359 detectable: −125…+45 ms).</small></p>
<p><button id="start">Start (sound on)</button> <span id="phase">loading</span></p>
<div class="row">
  <video id="video" autoplay playsinline></video>
  <div class="figures">
    <div>last marker<br><span id="offset">—</span></div>
    <div>median: <span id="median">—</span></div>
    <div>markers paired: <span id="paired">0</span></div>
    <div>browser's A/V sync: <span id="sync">—</span></div>
  </div>
</div>
<div id="chart-box"><canvas id="chart"></canvas></div>
<script type="text/plain" id="onset-worklet">${inline(onsetWorkletSource)}</script>
<script>window.avsyncConfig = ${inline(JSON.stringify(config))};</script>
<script>${inline(readChartJs())}</script>
<script>${inline(onsetDetectorSource)}</script>
<script>${inline(readViewerApp())}</script>
</body>
</html>
`;
}
