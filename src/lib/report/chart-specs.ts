import type { ChartConfiguration, ChartDataset } from "chart.js";
import { gatePresets, histogram } from "../analysis/index.js";
import type { BenchResult } from "../bench/index.js";
import type { TalkMeasurements } from "../probe/index.js";
import { estimateAt } from "../browser/index.js";
import type { TwStormResult } from "../storm/index.js";
import { isBenchResult, type RunResult } from "../results/index.js";

/**
 * One chart of a report: a plain-JSON Chart.js configuration (no callbacks), so the HTML report
 * draws it in the browser and the PNG output draws it with chartjs-node-canvas from the same spec.
 */
export interface ChartSpec {
  /** File-name stem of its PNG and DOM id of its canvas. */
  id: string;
  title: string;
  /** One sentence under the chart saying how to read it. */
  caption: string;
  config: ChartConfiguration;
}

type Point = { x: number; y: number };

const colors = {
  sender: "#1d4ed8",
  arrival: "#d97706",
  transport: "#64748b",
  audio: "#0f766e",
  video: "#7c3aed",
  bad: "#dc2626",
  good: "#16a34a",
  bandWide: "rgba(22, 163, 74, 0.07)",
  bandNarrow: "rgba(22, 163, 74, 0.16)",
  grid: "#e5e7eb",
  text: "#1f2937",
};

// Chart.js draws every point it is given; a 10-minute run has ~50k per series, far more than
// pixels. Keeping each bucket's first, min and max point preserves spikes, which is what a
// reviewer looks for.
const maxPointsPerSeries = 1500;

function decimate(points: readonly Point[]): Point[] {
  if (points.length <= maxPointsPerSeries) return [...points];
  const bucketSize = Math.ceil(points.length / (maxPointsPerSeries / 3));
  const out: Point[] = [];
  for (let i = 0; i < points.length; i += bucketSize) {
    const bucket = points.slice(i, i + bucketSize);
    let lo = bucket[0]!;
    let hi = bucket[0]!;
    for (const p of bucket) {
      if (p.y < lo.y) lo = p;
      if (p.y > hi.y) hi = p;
    }
    out.push(...[bucket[0]!, lo, hi].filter((p, k, all) => all.indexOf(p) === k).sort((a, b) => a.x - b.x));
  }
  return out;
}

const toPoints = (series: ReadonlyArray<readonly [number, number, ...unknown[]]>, originMs: number): Point[] =>
  series.map(([ms, y]) => ({ x: round((ms - originMs) / 1000, 3), y: round(y, 3) }));

const round = (value: number, digits: number): number => Math.round(value * 10 ** digits) / 10 ** digits;

function baseOptions(xTitle: string, yTitle: string, extra: { yType?: "linear" | "logarithmic"; xType?: "linear" | "category"; stacked?: boolean } = {}) {
  const axis = (title: string) => ({ title: { display: true, text: title, color: colors.text }, grid: { color: colors.grid }, ticks: { color: colors.text } });
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false as const,
    normalized: true,
    plugins: { legend: { position: "top" as const, labels: { boxWidth: 14, color: colors.text } }, title: { display: false } },
    scales: {
      x: { type: extra.xType ?? "linear", stacked: extra.stacked, ...axis(xTitle) },
      // A log axis starting below 1 keeps single-frame bars visible next to thousands.
      y: { type: extra.yType ?? "linear", stacked: extra.stacked, ...(extra.yType === "logarithmic" ? { min: 0.5 } : {}), ...axis(yTitle) },
    },
  };
}

const line = (label: string, data: Point[], color: string, extra: Partial<ChartDataset<"line", Point[]>> = {}): ChartDataset<"line", Point[]> => ({
  type: "line",
  label,
  data,
  borderColor: color,
  backgroundColor: color,
  borderWidth: 1.5,
  pointRadius: 0,
  ...extra,
});

const scatter = (label: string, data: Point[], color: string): ChartDataset<"line", Point[]> =>
  line(label, data, color, { showLine: false, pointRadius: 3, pointHoverRadius: 5 });

// A horizontal band from lowMs to highMs across the chart, filled, for a preset window.
const band = (label: string, lowY: number, highY: number, fromX: number, toX: number, color: string): ChartDataset<"line", Point[]> =>
  line(label, [{ x: fromX, y: highY }, { x: toX, y: highY }], color, { fill: { value: lowY }, borderWidth: 0, backgroundColor: color, order: 10 });

const level = (label: string, y: number, fromX: number, toX: number, color: string): ChartDataset<"line", Point[]> =>
  line(label, [{ x: fromX, y }, { x: toX, y }], color, { borderDash: [6, 4], borderWidth: 1.5 });

// Bench times are on the probe's monotonic clock; the first thing it measured is t = 0.
function benchOriginMs(result: BenchResult): number {
  const probe = result.probe;
  if (!probe) return 0;
  const firsts = [
    probe.continuity.audio.jitterMs.series[0]?.[0],
    probe.continuity.video.jitterMs.series[0]?.[0],
    probe.continuity.audio.series.arrivalIntervalMs[0]?.[0],
    probe.continuity.video.series.arrivalIntervalMs[0]?.[0],
    probe.transport.series[0]?.[0],
    probe.content.markers[0]?.flashArrivalMs,
  ].filter((ms): ms is number => ms !== undefined);
  return firsts.length ? Math.min(...firsts) : 0;
}

// Bins of a "nice" width (1, 2 or 5 × 10^k) giving about 40 bars over the data's range.
function niceBinWidth(values: readonly number[], minWidth: number): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const raw = Math.max((hi - lo) / 40, minWidth);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((w) => w >= raw)!;
}

function benchCharts(result: BenchResult): ChartSpec[] {
  const probe = result.probe;
  const origin = benchOriginMs(result);
  const charts: ChartSpec[] = [];
  if (probe) {
    const markers = probe.content.markers;
    const sender = markers.flatMap((m) => (m.senderOffsetMs === null ? [] : [{ x: round((m.flashArrivalMs - origin) / 1000, 3), y: round(m.senderOffsetMs, 3) }]));
    const arrival = markers.map((m) => ({ x: round((m.flashArrivalMs - origin) / 1000, 3), y: round(m.arrivalOffsetMs, 3) }));
    const transport = decimate(toPoints(probe.transport.series, origin));
    const xs = [...sender, ...arrival, ...transport].map((p) => p.x);
    const fromX = xs.length ? Math.min(...xs) : 0;
    const toX = xs.length ? Math.max(...xs) : result.config.durationS;
    const itu = gatePresets["itu-detect"];
    const ebu = gatePresets["ebu-r37"];
    const options = baseOptions("arrival time (s)", "offset video − audio (ms), + = audio leads");
    charts.push({
      id: "offset-over-time",
      title: "Lip-sync offset per marker, by method",
      caption: `Each marker's flash − beep offset on the sender's clock (RTCP SR mapped) and at arrival, with the transport relative delay of every video frame. Shaded: ${itu.source} ${itu.lowMs}…+${itu.highMs} ms (light) and ${ebu.source} ${ebu.lowMs}…+${ebu.highMs} ms (dark).`,
      config: {
        type: "line",
        data: {
          datasets: [
            scatter("content, sender clock (SR)", sender, colors.sender),
            scatter("content, at arrival", arrival, colors.arrival),
            line("transport relative delay", transport, colors.transport, { borderWidth: 1 }),
            band(`${itu.source} ${itu.lowMs}…+${itu.highMs} ms`, itu.lowMs, itu.highMs, fromX, toX, colors.bandWide),
            band(`${ebu.source} ${ebu.lowMs}…+${ebu.highMs} ms`, ebu.lowMs, ebu.highMs, fromX, toX, colors.bandNarrow),
          ],
        },
        options: { ...options, scales: { ...options.scales, y: { ...options.scales.y, suggestedMin: -150, suggestedMax: 70 } } },
      } as ChartConfiguration,
    });
    for (const kind of ["audio", "video"] as const) {
      const c = probe.continuity[kind];
      charts.push({
        id: `${kind}-timestamp-steps`,
        title: `${kind === "audio" ? "Audio" : "Video"} RTP timestamp steps`,
        caption: `How often each step between consecutive ${kind} frames occurred (log scale); the expected step is ${c.expectedStepTicks} ticks at ${c.clockRateHz / 1000} kHz, any other bar is an irregularity.`,
        config: {
          type: "bar",
          data: {
            labels: c.stepHistogram.map((b) => String(b.value)),
            datasets: [
              {
                label: `${kind} frames`,
                data: c.stepHistogram.map((b) => b.count),
                backgroundColor: c.stepHistogram.map((b) => (b.value === c.expectedStepTicks ? colors[kind] : colors.bad)),
              },
            ],
          },
          options: { ...baseOptions("step (RTP ticks)", "frames (log)", { xType: "category", yType: "logarithmic" }), parsing: undefined, plugins: { legend: { display: false } } },
        } as ChartConfiguration,
      });
    }
    charts.push({
      id: "arrival-jitter",
      title: "Interarrival jitter over time",
      caption: "RFC 3550 interarrival jitter of each stream after every frame: how unevenly packets arrived against their timestamps.",
      config: {
        type: "line",
        data: {
          datasets: (["audio", "video"] as const).map((kind) => line(kind, decimate(toPoints(probe.continuity[kind].jitterMs.series, origin)), colors[kind])),
        },
        options: baseOptions("arrival time (s)", "jitter (ms)"),
      } as ChartConfiguration,
    });
  }
  if (result.talk?.measurements) charts.push(...talkCharts(result.talk.measurements));
  if ((result.sessions?.length ?? 0) > 1) charts.push(sessionOffsetsChart(result));
  if (result.browser) charts.push(browserVsNodeChart(result));
  const pacing = result.pacing;
  if (pacing) {
    const values = { audio: pacing.audio.latenessMs.map(([, ms]) => ms), video: pacing.video.latenessMs.map(([, ms]) => ms) };
    const all = [...values.audio, ...values.video];
    const binWidth = niceBinWidth(all, 0.1);
    const bins = { audio: histogram(values.audio, { binWidth }).bins, video: histogram(values.video, { binWidth }).bins };
    const firstBin = Math.min(...[...bins.audio, ...bins.video].map((b) => Math.round(b.from / binWidth)));
    const lastBin = Math.max(...[...bins.audio, ...bins.video].map((b) => Math.round(b.from / binWidth)));
    const range = all.length ? Array.from({ length: lastBin - firstBin + 1 }, (_, i) => firstBin + i) : [];
    const digits = binWidth < 1 ? 1 : 0;
    charts.push({
      id: "pacing-lateness",
      title: "Pusher pacing: lateness of every frame sent",
      caption: `Send time − scheduled time of each audio and video frame, in ${binWidth} ms bins; a paced pusher keeps this within a few ms.`,
      config: {
        type: "bar",
        data: {
          labels: range.map((bin) => `${(bin * binWidth).toFixed(digits)}`),
          datasets: (["audio", "video"] as const).map((kind) => {
            const counts = new Map(bins[kind].map((b) => [Math.round(b.from / binWidth), b.count]));
            return { label: kind, data: range.map((bin) => counts.get(bin) ?? 0), backgroundColor: colors[kind] };
          }),
        },
        options: { ...baseOptions("lateness (ms, bin start)", "frames (log)", { xType: "category", yType: "logarithmic" }), parsing: undefined },
      } as ChartConfiguration,
    });
  }
  return charts;
}

// A report stays readable: a talk longer than this shows its first utterances only (result.json has all).
const maxUtteranceCharts = 20;

// Response latency per utterance, then each utterance's voice and mouth on one time axis with the lag found.
function talkCharts(talk: TalkMeasurements): ChartSpec[] {
  const labels = talk.utterances.map((u, i) => `${i + 1}. ${u.text.length > 24 ? `${u.text.slice(0, 23)}…` : u.text}`);
  const charts: ChartSpec[] = [
    {
      id: "talk-latency",
      title: "Talking head: response latency per utterance",
      caption: "From the end of each utterance said to the head to the first sound of its answer and to its mouth's first move, as they arrived (no bar: not heard or not seen).",
      config: {
        type: "bar",
        data: {
          labels,
          datasets: [
            { label: "voice", data: talk.utterances.map((u) => (u.responseLatencyMs === null ? null : round(u.responseLatencyMs, 1))), backgroundColor: colors.audio },
            { label: "mouth", data: talk.utterances.map((u) => (u.mouthLatencyMs === null ? null : round(u.mouthLatencyMs, 1))), backgroundColor: colors.video },
          ],
        },
        options: { ...baseOptions("utterance", "latency (ms)", { xType: "category" }), parsing: undefined },
      } as ChartConfiguration,
    },
  ];
  talk.utterances.slice(0, maxUtteranceCharts).forEach((u, i) => {
    const { voice, mouth, lagMs } = talkTrace(u);
    const verdict =
      u.lipOffsetMs === null
        ? `not available: ${u.notAvailable ?? "no offset"}`
        : `lips ${u.lipOffsetMs >= 0 ? "+" : ""}${round(u.lipOffsetMs, 1)} ms (${u.lipOffsetMs >= 0 ? "audio leads" : "video leads"}), confidence ${u.confidence.toFixed(2)}`;
    const datasets = [line("voice envelope", voice, colors.audio), line("mouth motion", mouth, colors.video)];
    if (lagMs !== null) datasets.push(line(`mouth moved ${lagMs >= 0 ? "back" : "forward"} by the lag`, mouth.map((p) => ({ x: round(p.x - lagMs / 1000, 3), y: p.y })), colors.video, { borderDash: [5, 4], borderWidth: 1 }));
    const options = baseOptions("time from the voice's onset (s)", "scaled 0…1");
    charts.push({
      id: `talk-utterance-${i + 1}`,
      title: `Utterance ${labels[i]}: ${verdict}`,
      caption: "The answer's voice loudness and the picture region that moved most with it, each scaled 0…1, over time from the voice's first sound; dashed: the mouth shifted by the lag found, which should lie on the voice.",
      config: {
        type: "line",
        data: { datasets },
        options: { ...options, scales: { ...options.scales, y: { ...options.scales.y, min: 0, max: 1 } } },
      } as ChartConfiguration,
    });
  });
  return charts;
}

// The trace as chart points: both scaled to 0…1; a region that darkens as the mouth opens is turned over, so both rise together.
function talkTrace(u: TalkMeasurements["utterances"][number]): { voice: Point[]; mouth: Point[]; lagMs: number | null } {
  const { startMs, stepMs, voice, mouth } = u.trace;
  const zeroMs = u.voiceOnsetMs ?? startMs;
  const x = (k: number): number => round((startMs + k * stepMs - zeroMs) / 1000, 3);
  const scale = (values: readonly number[]): number[] => {
    const lo = Math.min(...values);
    const span = Math.max(...values) - lo || 1;
    return values.map((v) => round((v - lo) / span, 3));
  };
  const lagMs = u.lipOffsetMs;
  let mouthScaled = scale(mouth);
  // The sign of the correlation at the lag found: the mouth's trace moved back by it against the voice.
  const shift = lagMs === null ? 0 : Math.round(lagMs / stepMs);
  let sum = 0;
  for (let k = 0; k < voice.length; k++) {
    const m = mouthScaled[k + shift];
    if (m !== undefined) sum += (voice[k]! - 0.5) * (m - 0.5);
  }
  if (u.region !== null && sum < 0) mouthScaled = mouthScaled.map((v) => round(1 - v, 3));
  return { voice: scale(voice).map((y, k) => ({ x: x(k), y })), mouth: u.region === null ? [] : mouthScaled.map((y, k) => ({ x: x(k), y })), lagMs };
}

// One point per session and method: how far apart viewers of the same server are, and which had it worst.
function sessionOffsetsChart(result: BenchResult): ChartSpec {
  const sessions = result.sessions!;
  const worst = result.aggregate?.worstSession ?? null;
  const medians = (pick: (s: (typeof sessions)[number]) => { p50: number | null } | null): Point[] =>
    sessions.flatMap((s) => (pick(s)?.p50 == null ? [] : [{ x: s.index, y: round(pick(s)!.p50!, 3) }]));
  const datasets = [
    scatter("median, sender clock (SR)", medians((s) => s.senderOffsetMs), colors.sender),
    scatter("median, at arrival", medians((s) => s.arrivalOffsetMs), colors.arrival),
    scatter("median, transport relative delay", medians((s) => s.relativeDelayMs), colors.transport),
  ];
  if (worst) datasets.push(line(`worst session #${worst.index} (${worst.method})`, [{ x: worst.index, y: round(worst.offsetMs, 3) }], colors.bad, { showLine: false, pointRadius: 7, pointStyle: "crossRot", borderWidth: 2, order: -1 }));
  const options = baseOptions("session", "median offset video − audio (ms), + = audio leads");
  return {
    id: "session-offsets",
    title: "Offset per session (median of each session, by method)",
    caption: `Each of the ${sessions.length} sessions' median offset on the sender's clock, at arrival and by transport relative delay; the cross marks the session whose median is furthest from zero.`,
    // Whole session numbers only, with room beside the first and last.
    config: { type: "line", data: { datasets }, options: { ...options, scales: { ...options.scales, x: { ...options.scales.x, offset: true, ticks: { ...options.scales.x.ticks, precision: 0 } } } } } as ChartConfiguration,
  };
}

// What the viewer saw (headless Chromium) beside what the network delivered (node probe), marker by
// marker; the gap between them is what the browser's playout did (docs/browser-probe.md).
function browserVsNodeChart(result: BenchResult): ChartSpec {
  const browser = result.browser!;
  const nodeMarkers = result.probe?.content.markers ?? [];
  const byIndex = (values: Array<[number, number | null]>): Point[] => values.flatMap(([x, y]) => (y === null ? [] : [{ x, y: round(y, 3) }]));
  const explanation = browser.comparison?.explanation ?? "";
  // Chromium's own account for each marker it had a view of: the timestamps' offset + the residual it believed it left.
  const sender = browser.comparison?.senderClockMs ?? null;
  const account: Point[] =
    sender === null
      ? []
      : browser.markers.series.flatMap((m) => {
          const estimate = estimateAt(browser.chromiumSync, m.flashDisplayMs);
          return estimate ? [{ x: m.markerIndex, y: round(sender + estimate.residualMs, 3) }] : [];
        });
  return {
    id: "browser-vs-node-per-marker",
    title: "Rendered in Chromium vs. delivered to the node probe, per marker",
    caption: `Each marker's offset as headless Chromium rendered it (flash shown − beep heard), Chromium's own account of it from its sync log, and, with --probe node,browser, the node probe's reading on the sender clock and at arrival. Chromium closes in on the timestamps in ~16 ms steps and leaves up to ±${browser.chromiumSync.deadBandMs} ms. ${explanation}`,
    config: {
      type: "line",
      data: {
        datasets: [
          scatter("browser: rendered", byIndex(browser.markers.series.map((m) => [m.markerIndex, m.renderedOffsetMs])), colors.bad),
          scatter("browser: Web Audio copy", byIndex(browser.markers.series.map((m) => [m.markerIndex, m.webAudioOffsetMs])), colors.video),
          scatter("Chromium's own account (timestamps + its residual)", account, colors.transport),
          scatter("node: sender clock (SR)", byIndex(nodeMarkers.map((m, i) => [i, m.senderOffsetMs])), colors.sender),
          scatter("node: at arrival", byIndex(nodeMarkers.map((m, i) => [i, m.arrivalOffsetMs])), colors.arrival),
        ],
      },
      options: baseOptions("marker (order in the run)", "offset video − audio (ms), + = audio leads"),
    } as ChartConfiguration,
  };
}

function twStormCharts(result: TwStormResult): ChartSpec[] {
  const holderColors: Record<string, string> = { client: colors.sender, server: colors.arrival, host: colors.video };
  const holders = Object.entries(result.series.sockstat);
  const xs = holders.flatMap(([, s]) => s.map(([tMs]) => tMs / 1000));
  const fromX = xs.length ? Math.min(...xs) : 0;
  const toX = xs.length ? Math.max(...xs) : 1;
  const { steadyStateTw, portRange, sustainableRatePerS, meanRatePerS } = result.predictions;
  const charts: ChartSpec[] = [
    {
      id: "time-wait",
      title: "TIME_WAIT by holder over time",
      caption: `TIME_WAIT sockets held by each side (sockstat, 10 Hz). Dashed: the predicted steady state at ${meanRatePerS.toFixed(0)} cycles/s (rate × 60 s, capped by the client ports the storm uses and tcp_max_tw_buckets) and the client's port range, whose ÷ 60 s is the sustainable rate without reuse (${sustainableRatePerS.toFixed(0)}/s).`,
      config: {
        type: "line",
        data: {
          datasets: [
            ...holders.map(([holder, series]) => line(`${holder} TIME_WAIT`, decimate(toPoints(series, 0)), holderColors[holder] ?? colors.transport, { borderWidth: 2 })),
            level(`predicted steady state ${steadyStateTw.toFixed(0)}`, steadyStateTw, fromX, toX, colors.bad),
            level(`port range ${portRange} (sustainable ${sustainableRatePerS.toFixed(0)} cycles/s)`, portRange, fromX, toX, colors.transport),
          ],
        },
        options: baseOptions("time since storm start (s)", "TIME_WAIT sockets"),
      } as ChartConfiguration,
    },
    {
      id: "cycles-per-second",
      title: "Cycles per second",
      caption: "Cycles started, succeeded and failed each second, against the rate the port range sustains without TIME_WAIT reuse.",
      config: {
        type: "line",
        data: {
          datasets: [
            line("started", result.series.cyclesPerS.map(([tMs, started]) => ({ x: tMs / 1000, y: started })), colors.transport, { stepped: true }),
            line("succeeded", result.series.cyclesPerS.map(([tMs, , ok]) => ({ x: tMs / 1000, y: ok })), colors.good, { stepped: true }),
            line("failed", result.series.cyclesPerS.map(([tMs, , , failed]) => ({ x: tMs / 1000, y: failed })), colors.bad, { stepped: true }),
            level(`sustainable ${sustainableRatePerS.toFixed(0)}/s`, sustainableRatePerS, fromX, toX, colors.arrival),
          ],
        },
        options: baseOptions("time since storm start (s)", "cycles per second"),
      } as ChartConfiguration,
    },
  ];
  const errnos = [...new Set(result.series.errorsByErrno.flatMap(([, errors]) => Object.keys(errors)))].sort();
  const errnoColors = [colors.bad, colors.arrival, colors.video, colors.sender, colors.audio, colors.transport];
  charts.push({
    id: "errors-by-errno",
    title: "Connection errors by errno",
    caption: errnos.length ? "Errors each second, stacked by errno (EADDRNOTAVAIL = no free ephemeral port)." : "No connection errors during the storm.",
    config: {
      type: "bar",
      data: {
        labels: result.series.errorsByErrno.map(([tMs]) => (tMs / 1000).toFixed(0)),
        datasets: errnos.map((errno, i) => ({
          label: errno,
          data: result.series.errorsByErrno.map(([, errors]) => errors[errno] ?? 0),
          backgroundColor: errnoColors[i % errnoColors.length],
        })),
      },
      options: { ...baseOptions("time since storm start (s)", "errors per second", { xType: "category", stacked: true }), parsing: undefined },
    } as ChartConfiguration,
  });
  const latency = result.series.connectLatency.filter(([, count]) => count > 0);
  const options = baseOptions("time since storm start (s)", "connect latency (ms)");
  charts.push({
    id: "connect-latency",
    title: "TCP connect latency and port occupancy",
    caption: "p50, p95 and max connect latency of each second's cycles (left) and the client's ephemeral ports in use or in TIME_WAIT as a share of the range (right).",
    config: {
      type: "line",
      data: {
        datasets: [
          line("p50", latency.map(([tMs, , p50Us]) => ({ x: tMs / 1000, y: p50Us / 1000 })), colors.good),
          line("p95", latency.map(([tMs, , , p95Us]) => ({ x: tMs / 1000, y: p95Us / 1000 })), colors.arrival),
          line("max", latency.map(([tMs, , , , maxUs]) => ({ x: tMs / 1000, y: maxUs / 1000 })), colors.bad),
          line("port occupancy (%)", result.series.connectLatency.map(([tMs, , , , , occupancy]) => ({ x: tMs / 1000, y: round(occupancy * 100, 2) })), colors.transport, {
            borderDash: [4, 3],
            yAxisID: "occupancy",
          }),
        ],
      },
      options: {
        ...options,
        scales: { ...options.scales, occupancy: { type: "linear", position: "right", min: 0, title: { display: true, text: "ports in use (%)" }, grid: { display: false } } },
      },
    } as ChartConfiguration,
  });
  return charts;
}

/** The charts of a run, whichever command wrote it: the one module that decides what a report draws. */
export function chartSpecsFor(result: RunResult): ChartSpec[] {
  return isBenchResult(result) ? benchCharts(result) : twStormCharts(result);
}
