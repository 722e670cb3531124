import { summarize, type Summary } from "../analysis/index.js";
import type { BenchResult } from "../bench/index.js";
import type { TwStormResult } from "../storm/index.js";
import type { RunResult } from "../results/index.js";

// The four k6 metric kinds: a counter adds up events, a gauge is one level (last, min, max), a
// trend is a distribution (percentiles), a rate is the share of something in 0…1.
export type MetricKind = "counter" | "gauge" | "trend" | "rate";

// Which way is worse, so a baseline comparison knows a regression from an improvement.
export type MetricDirection = "lower-is-better" | "higher-is-better" | "closer-to-zero-is-better";

/** One metric as a result holds it: its declaration and the aggregates a threshold can name. */
export interface MetricValue {
  name: string;
  kind: MetricKind;
  unit: string;
  description: string;
  /** Aggregate name → value; null where the run had no data for it. */
  aggregates: Record<string, number | null>;
}

interface MetricDefinition<R> {
  name: string;
  kind: MetricKind;
  unit: string;
  description: string;
  read: (result: R) => Record<string, number | null> | null;
}

/** A metric aggregate that a baseline comparison watches, with the noise it forgives. */
export interface WatchedAggregate {
  metric: string;
  aggregate: string;
  direction: MetricDirection;
  /** Changes smaller than this (in the metric's unit) are noise, whatever the percentage. */
  noiseFloor: number;
}

const trendAggregates = ["count", "mean", "min", "max", "p5", "p50", "p95", "p99", "maxAbs", "stdev"] as const;

// The aggregate a bare metric name stands for; trends have none, a threshold must pick one.
export const defaultAggregate: Record<MetricKind, string | null> = { counter: "count", gauge: "value", rate: "rate", trend: null };

const trend = (s: Summary | null | undefined): Record<string, number | null> | null =>
  s ? Object.fromEntries(trendAggregates.map((a) => [a, s[a]])) : null;
const counter = (n: number | null | undefined): Record<string, number | null> => ({ count: n ?? null });
const rate = (part: number | null | undefined, whole: number | null | undefined): Record<string, number | null> => ({
  rate: part === null || part === undefined || !whole ? null : part / whole,
});
const gauge = (value: number | null | undefined, series: readonly number[] = []): Record<string, number | null> => {
  const s = summarize(series);
  return { value: value ?? null, min: s.min, max: s.max };
};

/** The content lip-sync offset the gate judges: on the sender's clock (SR-mapped) when it has markers, else at arrival. */
export function contentOffsetOf(result: BenchResult): { source: "sender" | "arrival"; summary: Summary } | null {
  const content = result.probe?.content;
  if (!content) return null;
  return content.senderOffsetMs.count > 0
    ? { source: "sender", summary: content.senderOffsetMs }
    : { source: "arrival", summary: content.arrivalOffsetMs };
}

/**
 * The markers the lip-sync presets judge: every marker of every session (and shard) when a run has more
 * than one, and of every segment when it was segmented (its `probe` is then its last segment); else the
 * probe's. `scope` names what was pooled, for the messages ("" for the probe's own).
 */
export function judgedMarkersOf(result: BenchResult): { source: "sender" | "arrival"; summary: Summary; scope: string } | null {
  const pooled = result.pooled;
  if (!pooled || (pooled.sessions <= 1 && !result.segmented)) {
    const own = contentOffsetOf(result);
    return own && { ...own, scope: "" };
  }
  const scope = !result.segmented ? `all ${pooled.sessions} sessions` : pooled.sessions > 1 ? `every segment of all ${pooled.sessions} sessions` : "every segment";
  return pooled.senderOffsetMs.summary.count > 0
    ? { source: "sender", summary: pooled.senderOffsetMs.summary, scope }
    : { source: "arrival", summary: pooled.arrivalOffsetMs.summary, scope };
}

const streams = ["audio", "video"] as const;

const benchMetrics: MetricDefinition<BenchResult>[] = [
  {
    name: "offset.content",
    kind: "trend",
    unit: "ms",
    description: "Content lip-sync offset per marker (video − audio, positive = audio leads), sender clock when SR-mapped, else at arrival, of the first session (its last segment when segmented); what the lip-sync presets judge for one unsegmented session.",
    read: (r) => trend(contentOffsetOf(r)?.summary),
  },
  {
    name: "pooled.offset.sender",
    kind: "trend",
    unit: "ms",
    description: "Content offset per marker on the sender's clock over every session (and every shard of a merged run), from HDR histograms (each value to 0.01 %); what the presets judge when a run has more than one session or was measured in segments.",
    read: (r) => trend(r.pooled?.senderOffsetMs.summary),
  },
  { name: "pooled.offset.arrival", kind: "trend", unit: "ms", description: "Content offset per marker at arrival over every session (and shard), from HDR histograms.", read: (r) => trend(r.pooled?.arrivalOffsetMs.summary) },
  { name: "pooled.joinTime", kind: "trend", unit: "ms", description: "Offer sent → connected, per session over every session (and shard), from HDR histograms.", read: (r) => trend(r.pooled?.joinTimeMs.summary) },
  { name: "sessions.measured", kind: "counter", unit: "sessions", description: "Probe sessions measured to the end (every shard's, in a merged run).", read: (r) => counter(r.aggregate?.measured) },
  { name: "offset.sender", kind: "trend", unit: "ms", description: "Content offset per marker on the sender's clock (RTCP SR mapping).", read: (r) => trend(r.probe?.content.senderOffsetMs) },
  { name: "offset.arrival", kind: "trend", unit: "ms", description: "Content offset per marker at arrival.", read: (r) => trend(r.probe?.content.arrivalOffsetMs) },
  { name: "offset.transport", kind: "trend", unit: "ms", description: "Transport relative delay per video frame (libwebrtc's method).", read: (r) => trend(r.probe?.transport.relativeDelayMs) },
  { name: "markers.paired", kind: "rate", unit: "ratio", description: "Markers paired (flash with its beep) out of those the run should have carried.", read: (r) => rate(r.probe?.markers.paired, r.expectedMarkers) },
  {
    name: "markers.unpaired",
    kind: "counter",
    unit: "markers",
    description: "Flashes and beeps found without their partner.",
    read: (r) => counter(r.probe ? r.probe.markers.unpairedFlashes.length + r.probe.markers.unpairedBeeps.length : null),
  },
  ...streams.flatMap((kind): MetricDefinition<BenchResult>[] => {
    const c = (r: BenchResult) => r.probe?.continuity[kind];
    const prefix = `continuity.${kind}`;
    return [
      { name: `${prefix}.discontinuities`, kind: "counter", unit: "steps", description: `${kind} RTP timestamp steps off the expected step by more than the tolerance.`, read: (r) => counter(c(r)?.discontinuities.length) },
      { name: `${prefix}.backwardJumps`, kind: "counter", unit: "steps", description: `${kind} RTP timestamps that went backwards in sequence order.`, read: (r) => counter(c(r)?.backwardJumps.length) },
      { name: `${prefix}.missingFrames`, kind: "counter", unit: "frames", description: `${kind} frames skipped by the sender or lost whole.`, read: (r) => counter(c(r)?.missingFrames.length) },
      { name: `${prefix}.lostPackets`, kind: "counter", unit: "packets", description: `${kind} RTP packets missing from the sequence.`, read: (r) => counter(c(r)?.sequenceGaps.lostPackets) },
      { name: `${prefix}.duplicates`, kind: "counter", unit: "packets", description: `${kind} packets received twice.`, read: (r) => counter(c(r)?.duplicates) },
      { name: `${prefix}.reordered`, kind: "counter", unit: "packets", description: `${kind} packets that arrived after a later one.`, read: (r) => counter(c(r)?.reordered) },
      { name: `${prefix}.stepsExact`, kind: "rate", unit: "ratio", description: `Share of ${kind} timestamp steps exactly equal to the expected step.`, read: (r) => ({ rate: c(r)?.stepsExact ?? null }) },
      {
        name: `${prefix}.jitter`,
        kind: "gauge",
        unit: "ms",
        description: `RFC 3550 interarrival jitter of ${kind}: value is the final estimate, min/max over the run.`,
        read: (r) => (c(r) ? gauge(c(r)!.jitterMs.final, c(r)!.jitterMs.series.map(([, ms]) => ms)) : null),
      },
      { name: `${prefix}.arrivalInterval`, kind: "trend", unit: "ms", description: `Time between consecutive ${kind} frames at arrival.`, read: (r) => trend(c(r)?.arrivalIntervalMs) },
      { name: `${prefix}.drift`, kind: "gauge", unit: "ppm", description: `${kind} RTP clock against the arrival clock (positive = RTP clock fast).`, read: (r) => ({ value: c(r)?.driftPpm ?? null }) },
      {
        name: `pacing.${kind}.lateness`,
        kind: "trend",
        unit: "ms",
        description: `Send time − scheduled time of every ${kind} frame the pusher sent.`,
        read: (r) => trend(r.pacing ? summarize(r.pacing[kind].latenessMs.map(([, ms]) => ms)) : null),
      },
    ];
  }),
  {
    name: "browser.offset.steady",
    kind: "trend",
    unit: "ms",
    description: "Offset the viewer got in headless Chromium (flash shown − beep heard) per marker of Chromium's steady stretch, once its A/V sync stopped moving (`--probe browser`).",
    read: (r) => trend(r.browser?.steadyOffsetMs),
  },
  { name: "browser.offset.rendered", kind: "trend", unit: "ms", description: "Offset the viewer got in headless Chromium per marker, over the whole run (its A/V sync walking included).", read: (r) => trend(r.browser?.renderedOffsetMs) },
  { name: "browser.residual", kind: "gauge", unit: "ms", description: "The offset Chromium itself believes it leaves in its steady stretch (its sync log; it corrects nothing under ±30 ms).", read: (r) => (r.browser ? { value: r.browser.chromiumSync.residualMs } : null) },
  { name: "browser.steadyAfter", kind: "gauge", unit: "s", description: "Seconds from the browser's connection to the start of Chromium's steady stretch.", read: (r) => (r.browser ? { value: r.browser.comparison?.steadyAfterS ?? null } : null) },
  { name: "browser.markers.paired", kind: "rate", unit: "ratio", description: "Markers the browser paired (flash shown with its beep heard) out of those the run should have carried.", read: (r) => rate(r.browser?.markers.paired, r.browser ? r.expectedMarkers : null) },
  {
    name: "talk.lipOffset",
    kind: "trend",
    unit: "ms",
    description: "Markerless lip-sync offset per utterance of a talking head (mouth − voice, positive = audio leads; `--talk`).",
    read: (r) => trend(r.talk?.measurements?.lipOffsetMs),
  },
  { name: "talk.responseLatency", kind: "trend", unit: "ms", description: "End of each utterance said to a talking head → the first sound of its answer, as it arrived (`--talk`).", read: (r) => trend(r.talk?.measurements?.responseLatencyMs) },
  { name: "talk.mouthLatency", kind: "trend", unit: "ms", description: "End of each utterance said to a talking head → its mouth's first move, as it arrived (`--talk`).", read: (r) => trend(r.talk?.measurements?.mouthLatencyMs) },
  {
    name: "talk.notAvailable",
    kind: "counter",
    unit: "utterances",
    description: "Utterances whose lip-sync offset could not be read (no speech heard, a still face, nothing moving with the voice; `--talk`).",
    read: (r) => counter(r.talk?.measurements?.notAvailable),
  },
  { name: "continuity.audio.gaps", kind: "counter", unit: "gaps", description: "Audio arrival pauses over 2.5 frame durations (a playout buffer must bridge them).", read: (r) => counter(r.probe?.continuity.audio.audioGaps?.count) },
  { name: "continuity.video.repeated", kind: "counter", unit: "frames", description: "Content frames the sender showed again (read from the decoded frame counter).", read: (r) => counter(r.probe?.continuity.video.content.repeated) },
  { name: "continuity.video.skipped", kind: "counter", unit: "frames", description: "Content frames that never arrived between two that did.", read: (r) => counter(r.probe?.continuity.video.content.skipped) },
  { name: "pacing.audio.queueDrops", kind: "counter", unit: "chunks", description: "Audio chunks the seed pusher's bounded queue dropped.", read: (r) => counter(r.pacing?.audio.queueDrops) },
  {
    name: "pacing.eventLoopDelay",
    kind: "trend",
    unit: "ms",
    description: "Event-loop delay of the pusher (p50, p99 and max only).",
    read: (r) => (r.pacing?.eventLoopDelayMs ? { p50: r.pacing.eventLoopDelayMs.p50, p99: r.pacing.eventLoopDelayMs.p99, max: r.pacing.eventLoopDelayMs.max } : null),
  },
];

// Every errno the storm counted plus the usual ones, so thresholds on them never read "unknown metric".
const commonErrnos = ["EADDRNOTAVAIL", "ECONNREFUSED", "ETIMEDOUT", "EADDRINUSE", "ECONNRESET"];

// TIME_WAIT summed over holders at every sample time (each holder's last sample at or before it).
function totalTimeWaitSeries(result: TwStormResult): number[] {
  const series = Object.values(result.series.sockstat);
  const times = [...new Set(series.flatMap((s) => s.map(([tMs]) => tMs)))].sort((a, b) => a - b);
  const cursors = series.map(() => -1);
  return times.map((t) =>
    series.reduce((sum, s, i) => {
      while (cursors[i]! + 1 < s.length && s[cursors[i]! + 1]![0] <= t) cursors[i]! += 1;
      return sum + (cursors[i]! >= 0 ? s[cursors[i]!]![1] : 0);
    }, 0),
  );
}

// Whole-storm percentiles when the result has them; older results kept only one-second
// summaries, whose worst second stands in for p50/p95 then.
function latencyTrend(whole: { count: number; p50: number; p95: number; p99: number; max: number } | undefined, rows: Array<[number, number, number, number, number, ...number[]]>): Record<string, number | null> | null {
  if (whole) return whole.count ? { count: whole.count, p50: whole.p50 / 1000, p95: whole.p95 / 1000, p99: whole.p99 / 1000, max: whole.max / 1000 } : null;
  const active = rows.filter(([, count]) => count > 0);
  if (active.length === 0) return null;
  return {
    count: active.reduce((sum, [, count]) => sum + count, 0),
    p50: Math.max(...active.map(([, , p50Us]) => p50Us)) / 1000,
    p95: Math.max(...active.map(([, , , p95Us]) => p95Us)) / 1000,
    p99: null,
    max: Math.max(...active.map(([, , , , maxUs]) => maxUs)) / 1000,
  };
}

function twStormMetrics(result: TwStormResult): MetricDefinition<TwStormResult>[] {
  const holders = Object.keys(result.series.sockstat);
  const errnos = [...new Set([...commonErrnos, ...Object.keys(result.errorsByErrno)])].sort();
  const total = (record: Record<string, number>) => Object.values(record).reduce((sum, n) => sum + n, 0);
  return [
    {
      name: "tw",
      kind: "gauge",
      unit: "sockets",
      description: "TIME_WAIT sockets over all holders: value at the storm's end, min/max over the run (sockstat, 10 Hz).",
      read: (r) => gauge(r.timeWait.atStormEnd.client + r.timeWait.atStormEnd.server, totalTimeWaitSeries(r)),
    },
    ...holders.map(
      (holder): MetricDefinition<TwStormResult> => ({
        name: `tw.${holder}`,
        kind: "gauge",
        unit: "sockets",
        description: `TIME_WAIT sockets held by the ${holder} side: value at the storm's end, min/max over the run.`,
        read: (r) => gauge(holder === "client" || holder === "server" ? r.timeWait.atStormEnd[holder] : null, r.series.sockstat[holder]!.map(([, tw]) => tw)),
      }),
    ),
    { name: "cycles.started", kind: "counter", unit: "cycles", description: "Connect → close cycles started.", read: (r) => counter(r.cycles.started) },
    { name: "cycles.succeeded", kind: "counter", unit: "cycles", description: "Cycles that connected and closed cleanly.", read: (r) => counter(r.cycles.succeeded) },
    { name: "cycles.failed", kind: "counter", unit: "cycles", description: "Cycles that failed (any errno).", read: (r) => counter(r.cycles.failed) },
    { name: "cycles.failRate", kind: "rate", unit: "ratio", description: "Failed cycles out of those started.", read: (r) => rate(r.cycles.failed, r.cycles.started) },
    { name: "cycles.ratePerS", kind: "gauge", unit: "cycles/s", description: "Cycles started ÷ the storm's duration (its start to the end of its last cycle, failures included).", read: (r) => ({ value: r.cycles.achievedRatePerS }) },
    { name: "errors", kind: "counter", unit: "errors", description: "Connection errors of every errno.", read: (r) => counter(total(r.errorsByErrno)) },
    ...errnos.map(
      (errno): MetricDefinition<TwStormResult> => ({
        name: `errors.${errno}`,
        kind: "counter",
        unit: "errors",
        description: `Connection errors with errno ${errno}.`,
        read: (r) => counter(r.errorsByErrno[errno] ?? 0),
      }),
    ),
    { name: "connect.latency", kind: "trend", unit: "ms", description: "TCP connect latency over the storm (count, p50, p95, p99, max only).", read: (r) => latencyTrend(r.latencyUs?.connect, r.series.connectLatency) },
    { name: "handshake.latency", kind: "trend", unit: "ms", description: "WebSocket handshake latency (connect → upgrade done), or for HTTP connect → response headers, over the storm (count, p50, p95, p99, max only).", read: (r) => latencyTrend(r.latencyUs?.handshake, r.series.handshakeLatency) },
    {
      name: "ports.occupancy",
      kind: "gauge",
      unit: "ratio",
      description: "Client ephemeral ports in use or in TIME_WAIT, as a share of ip_local_port_range: value at the end, max over the run.",
      read: (r) => gauge(r.series.connectLatency.at(-1)?.[5] ?? null, r.series.connectLatency.map((row) => row[5])),
    },
    { name: "drain", kind: "gauge", unit: "s", description: "Seconds from the last close until TIME_WAIT was back to its baseline (null when not measured).", read: (r) => ({ value: r.timeWait.drainS }) },
  ];
}

// The gate reads results but must not load the report room (which renders gate reports).
const isBenchResult = (result: RunResult): result is BenchResult => result.schema === "avsync/bench-result";

function definitionsFor(result: RunResult): MetricDefinition<RunResult>[] {
  return (isBenchResult(result) ? benchMetrics : twStormMetrics(result)) as MetricDefinition<RunResult>[];
}

/** Every metric of a result with its aggregates: what thresholds, baselines and comparisons read. */
export function collectMetrics(result: RunResult): Map<string, MetricValue> {
  return new Map(
    definitionsFor(result).map(({ read, ...declaration }) => {
      const aggregates = read(result) ?? Object.fromEntries(aggregateNames(declaration.kind).map((a) => [a, null]));
      return [declaration.name, { ...declaration, aggregates }];
    }),
  );
}

/** The aggregates a metric kind offers, for validating thresholds and documenting them. */
export function aggregateNames(kind: MetricKind): readonly string[] {
  return { counter: ["count"], gauge: ["value", "min", "max"], rate: ["rate"], trend: trendAggregates }[kind];
}

/** The metric declarations of each command's results, for validating thresholds before a run starts. */
export function metricCatalog(command: "bench" | "tw-storm"): Array<Omit<MetricValue, "aggregates">> {
  const defs: MetricDefinition<never>[] = command === "bench" ? benchMetrics : twStormMetrics(emptyStormShape);
  return defs.map(({ name, kind, unit, description }) => ({ name, kind, unit, description }));
}

// Enough of a storm result for twStormMetrics to list its declarations (holders client/server).
const emptyStormShape = { series: { sockstat: { client: [], server: [] } }, errorsByErrno: {} } as unknown as TwStormResult;

/** What a baseline comparison watches per command: the headline figures, each with its direction and noise floor. */
export function watchedAggregates(result: RunResult): WatchedAggregate[] {
  if (isBenchResult(result)) {
    return [
      { metric: "offset.content", aggregate: "maxAbs", direction: "lower-is-better", noiseFloor: 2 },
      { metric: "offset.content", aggregate: "p50", direction: "closer-to-zero-is-better", noiseFloor: 2 },
      { metric: "offset.transport", aggregate: "p50", direction: "closer-to-zero-is-better", noiseFloor: 2 },
      { metric: "markers.paired", aggregate: "rate", direction: "higher-is-better", noiseFloor: 0 },
      ...streams.flatMap((kind): WatchedAggregate[] => [
        { metric: `continuity.${kind}.discontinuities`, aggregate: "count", direction: "lower-is-better", noiseFloor: 0 },
        { metric: `continuity.${kind}.missingFrames`, aggregate: "count", direction: "lower-is-better", noiseFloor: 0 },
        { metric: `continuity.${kind}.lostPackets`, aggregate: "count", direction: "lower-is-better", noiseFloor: 0 },
        { metric: `continuity.${kind}.jitter`, aggregate: "value", direction: "lower-is-better", noiseFloor: 1 },
        { metric: `pacing.${kind}.lateness`, aggregate: "p99", direction: "lower-is-better", noiseFloor: 2 },
      ]),
    ];
  }
  return [
    { metric: "tw", aggregate: "max", direction: "lower-is-better", noiseFloor: 10 },
    { metric: "cycles.failed", aggregate: "count", direction: "lower-is-better", noiseFloor: 0 },
    { metric: "cycles.ratePerS", aggregate: "value", direction: "higher-is-better", noiseFloor: 5 },
    { metric: "connect.latency", aggregate: "p95", direction: "lower-is-better", noiseFloor: 1 },
    { metric: "ports.occupancy", aggregate: "max", direction: "lower-is-better", noiseFloor: 0.01 },
  ];
}
