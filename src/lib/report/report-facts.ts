import { summarize, type Summary } from "../analysis/index.js";
import type { BenchResult } from "../bench/index.js";
import { contentOffsetOf } from "../gate/index.js";
import type { TwStormResult } from "../storm/index.js";
import { incompleteReasonOf, isBenchResult, type RunResult } from "../results/index.js";

// The words and figures every renderer shows, derived once so the HTML, the Markdown and the
// PNG titles never disagree. Strings here are raw: each renderer escapes them for its format.

/** How a figure reads against what a clean run looks like. */
export type FactStatus = "ok" | "warn" | "bad" | "info";

/** One summary card: a headline figure with the detail beneath it. */
export interface Card {
  label: string;
  value: string;
  detail: string;
  status: FactStatus;
}

/** One irregularity the run saw, for the continuity events table. */
export interface EventRow {
  stream: string;
  event: string;
  /** Where it happened: arrival time in s, frame index or sequence range. */
  at: string;
  detail: string;
}

/** One probe session of a multi-session run, for the sessions table; `note` marks the worst or says why it failed. */
export interface SessionRow {
  session: string;
  sessionId: string;
  joinTime: string;
  senderP50: string;
  senderP95: string;
  lostPackets: string;
  anomalies: number;
  worst: boolean;
  note: string;
}

/** The sessions of a multi-session run: one row each and the across-session line. */
export interface SessionsFacts {
  rows: SessionRow[];
  aggregate: string;
}

/** One named anomaly with the evidence that triggered it, for the anomalies list. */
export interface AnomalyRow {
  name: string;
  stream: string;
  message: string;
  evidence: string;
}

/** The verdict shown when no gate was asked for: the run's own judgement. */
export interface DefaultVerdict {
  pass: boolean | null;
  text: string;
}

const ms = (value: number | null | undefined, digits = 1): string => (value === null || value === undefined ? "n/a" : `${value.toFixed(digits)} ms`);
const signedMs = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? "n/a" : `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)} ms`;
/** A metric figure in its unit, for delta tables: ratios to 3 places, ms to 2, counts whole. */
export function formatFigure(value: number | null, unit: string, signed = false): string {
  if (value === null) return "n/a";
  const digits = unit === "ratio" ? 3 : Math.abs(value) >= 100 || (unit !== "ms" && Number.isInteger(value)) ? 0 : 2;
  return `${signed && value >= 0 ? "+" : ""}${value.toFixed(digits)}${unit === "ms" ? " ms" : ""}`;
}
const pct = (ratio: number | null): string => (ratio === null ? "n/a" : `${(ratio * 100).toFixed(1)}%`);
const int = (n: number): string => n.toLocaleString("en-US");

/** One line naming the run, for titles and headings. */
export function headlineOf(result: RunResult): string {
  if (isBenchResult(result)) return `avsync bench — ${result.config.pusher} pusher, ${result.config.durationS} s`;
  const shape = (result.config as { shape?: { kind?: string } }).shape?.kind ?? "storm";
  return `avsync tw-storm — ${String((result.config as { closeMode?: string }).closeMode ?? "")} ${shape}, ${int(result.cycles.started)} cycles`;
}

function offsetDetail(s: Summary): string {
  return `p50 ${signedMs(s.p50)} · p95 ${signedMs(s.p95)} · max|x| ${ms(s.maxAbs)} · n=${s.count}`;
}

const markerSourceNote = { indexed: "", "flash-beep": " · beep/flash clip, no index", none: " · no markers in this content: content offsets not available" } as const;

function benchCards(result: BenchResult): Card[] {
  const probe = result.probe;
  if (!probe) return [{ label: "Probe", value: "no data", detail: incompleteReasonOf(result) ?? "the probe measured nothing", status: "bad" }];
  const chosen = contentOffsetOf(result)!;
  const verdict = chosen.source === "sender" ? probe.verdict.sender : probe.verdict.arrival;
  const cards: Card[] = [
    {
      label: `Content offset (${chosen.source === "sender" ? "sender clock" : "at arrival"})`,
      value: signedMs(chosen.summary.p50),
      detail: offsetDetail(chosen.summary),
      status: verdict.pass === null ? "warn" : verdict.pass ? "ok" : "bad",
    },
    {
      label: chosen.source === "sender" ? "Content offset at arrival" : "Content offset, sender clock",
      value: signedMs((chosen.source === "sender" ? probe.content.arrivalOffsetMs : probe.content.senderOffsetMs).p50),
      detail: offsetDetail(chosen.source === "sender" ? probe.content.arrivalOffsetMs : probe.content.senderOffsetMs),
      status: "info",
    },
    { label: "Transport relative delay", value: signedMs(probe.transport.relativeDelayMs.p50), detail: offsetDetail(probe.transport.relativeDelayMs), status: "info" },
    { label: "Error kind", value: probe.errorKind.kind, detail: probe.errorKind.explanation, status: probe.errorKind.kind === "in-sync" ? "ok" : "warn" },
    {
      label: "Markers paired",
      value: `${probe.markers.paired} / ${result.expectedMarkers}`,
      detail: `${probe.markers.flashes} flashes, ${probe.markers.beeps} beeps found; ${probe.markers.unpairedFlashes.length + probe.markers.unpairedBeeps.length} unpaired${markerSourceNote[probe.markers.source ?? "indexed"]}`,
      status: probe.markers.paired >= result.expectedMarkers ? "ok" : probe.markers.paired > 0 ? "warn" : "bad",
    },
  ];
  for (const kind of ["audio", "video"] as const) {
    const c = probe.continuity[kind];
    const problems = c.discontinuities.length + c.missingFrames.length + c.backwardJumps.length + c.sequenceGaps.lostPackets;
    cards.push({
      label: `${kind === "audio" ? "Audio" : "Video"} continuity`,
      value: `${pct(c.stepsExact)} exact`,
      detail: `${int(c.frames)} frames · ${c.discontinuities.length} discontinuities · ${c.missingFrames.length} missing · ${c.sequenceGaps.lostPackets} lost pkts · jitter ${ms(c.jitterMs.final, 2)} · drift ${c.driftPpm === null ? "n/a" : `${c.driftPpm.toFixed(0)} ppm`}`,
      status: problems === 0 ? "ok" : "bad",
    });
  }
  if (result.pacing) {
    const audio = summarize(result.pacing.audio.latenessMs.map(([, v]) => v));
    const video = summarize(result.pacing.video.latenessMs.map(([, v]) => v));
    const worst = Math.max(audio.p99 ?? 0, video.p99 ?? 0);
    cards.push({
      label: "Pusher pacing lateness",
      value: `p99 ${ms(worst, 2)}`,
      detail: `audio p99 ${ms(audio.p99, 2)}, max ${ms(audio.max, 2)} · video p99 ${ms(video.p99, 2)}, max ${ms(video.max, 2)} · queue drops ${result.pacing.audio.queueDrops}`,
      status: worst < 5 && result.pacing.audio.queueDrops === 0 ? "ok" : "warn",
    });
  }
  return cards;
}

function twStormCards(result: TwStormResult): Card[] {
  const { cycles, timeWait, predictions } = result;
  const errors = Object.entries(result.errorsByErrno).sort(([, a], [, b]) => b - a);
  return [
    {
      label: "Cycles",
      value: `${int(cycles.succeeded)} ok / ${int(cycles.started)}`,
      detail: `${int(cycles.failed)} failed · ${cycles.achievedRatePerS.toFixed(0)} cycles/s over ${cycles.stormDurationS.toFixed(1)} s${cycles.firstFailureS === null ? "" : ` · first failure at ${cycles.firstFailureS.toFixed(2)} s`}`,
      status: cycles.failed === 0 ? "ok" : "bad",
    },
    {
      label: "TIME_WAIT peak",
      value: int(Object.values(timeWait.peak).reduce((a, b) => a + b, 0)),
      detail: Object.entries(timeWait.peak).map(([holder, n]) => `${holder} ${int(n)}`).join(" · "),
      status: "info",
    },
    {
      label: "TIME_WAIT at storm end",
      value: `client ${int(timeWait.atStormEnd.client)} · server ${int(timeWait.atStormEnd.server)}`,
      detail: timeWait.drainS === null ? "drain not measured" : `drained to baseline ${timeWait.drainS.toFixed(1)} s after the last close`,
      status: "info",
    },
    {
      label: "Errors",
      value: errors.length ? int(errors.reduce((sum, [, n]) => sum + n, 0)) : "none",
      detail: errors.length ? errors.map(([errno, n]) => `${errno} ${int(n)}`).join(" · ") : "no connection errors",
      status: errors.length ? "bad" : "ok",
    },
    {
      label: "Prediction",
      value: `${int(predictions.steadyStateTw)} TW at steady state`,
      detail: `rate ${predictions.meanRatePerS.toFixed(0)}/s × 60 s, capped by the ports used; port range ${int(predictions.portRange)} sustains ${predictions.sustainableRatePerS.toFixed(0)} cycles/s without reuse`,
      status: predictions.meanRatePerS > predictions.sustainableRatePerS ? "warn" : "info",
    },
    {
      label: "Topology",
      value: result.topology.kind,
      detail: `${result.topology.target}${result.warnings.length ? ` · ${result.warnings.join(" ")}` : ""}`,
      status: result.topology.kind === "loopback" ? "warn" : "info",
    },
  ];
}

/** The summary cards of a run. */
export function cardsOf(result: RunResult): Card[] {
  return isBenchResult(result) ? benchCards(result) : twStormCards(result);
}

/** Every continuity irregularity of a bench run (a storm has none), in arrival order per stream. */
export function eventsOf(result: RunResult): EventRow[] {
  if (!isBenchResult(result) || !result.probe) return [];
  const probe = result.probe;
  const rows: EventRow[] = [];
  const at = (arrivalMs: number) => `${(arrivalMs / 1000).toFixed(3)} s`;
  for (const kind of ["audio", "video"] as const) {
    const c = probe.continuity[kind];
    for (const e of c.discontinuities) rows.push({ stream: kind, event: "discontinuity", at: at(e.arrivalMs), detail: `frame ${e.frameIndex.toFixed(1)}: step ${e.deltaTicks} ticks, expected ${c.expectedStepTicks}` });
    for (const e of c.backwardJumps) rows.push({ stream: kind, event: "backward jump", at: at(e.arrivalMs), detail: `frame ${e.frameIndex.toFixed(1)}: step ${e.deltaTicks} ticks` });
    if (c.missingFrames.length) rows.push({ stream: kind, event: "missing frames", at: "frames", detail: compactList(c.missingFrames) });
    for (const r of c.sequenceGaps.ranges) rows.push({ stream: kind, event: "lost packets", at: `seq ${r.fromSeq}–${r.toSeq}`, detail: `${r.count} packets` });
    if (c.duplicates) rows.push({ stream: kind, event: "duplicates", at: "—", detail: `${c.duplicates} packets received twice` });
    if (c.reordered) rows.push({ stream: kind, event: "reordered", at: "—", detail: `${c.reordered} packets arrived after a later one` });
    for (const g of c.audioGaps?.gaps ?? []) rows.push({ stream: kind, event: "arrival gap", at: at(g.arrivalMs), detail: `${g.intervalMs.toFixed(1)} ms without audio` });
  }
  const content = probe.continuity.video.content;
  if (content.repeated || content.skipped || content.unreadable) {
    rows.push({ stream: "video", event: "content frames", at: "—", detail: `${content.repeated} repeated, ${content.skipped} skipped, ${content.unreadable} unreadable` });
  }
  for (const m of probe.markers.unpairedFlashes) rows.push({ stream: "video", event: "unpaired flash", at: at(m.arrivalMs), detail: `marker code ${m.markerCode}` });
  for (const m of probe.markers.unpairedBeeps) rows.push({ stream: "audio", event: "unpaired beep", at: at(m.arrivalMs), detail: `marker code ${m.markerCode}` });
  return rows;
}

/** The sessions of a run that opened more than one (`bench --sessions N`); null otherwise. */
export function sessionsOf(result: RunResult): SessionsFacts | null {
  if (!isBenchResult(result) || !result.aggregate || (result.sessions?.length ?? 0) < 2) return null;
  const a = result.aggregate;
  const worst = a.worstSession;
  const rows = result.sessions!.map((s): SessionRow => ({
    session: `#${s.index}`,
    sessionId: s.sessionId ?? "—",
    joinTime: ms(s.joinTimeMs, 0),
    senderP50: signedMs(s.senderOffsetMs?.p50),
    senderP95: signedMs(s.senderOffsetMs?.p95),
    lostPackets: s.lostPackets ? `${int(s.lostPackets.audio)} audio · ${int(s.lostPackets.video)} video` : "n/a",
    anomalies: s.anomalies.length,
    worst: worst?.index === s.index,
    note: s.error ? `failed: ${s.error}` : worst?.index === s.index ? `worst session: ${signedMs(worst.offsetMs)} (${worst.method})` : "",
  }));
  const method = worst?.method ?? "content, sender clock";
  const medians = { "content, sender clock": a.senderOffsetP50Ms, "content, at arrival": a.arrivalOffsetP50Ms, "transport relative delay": a.relativeDelayP50Ms }[method];
  const spread = medians.min === null || medians.max === null ? null : medians.max - medians.min;
  const aggregate = [
    `${a.measured} of ${a.requested} sessions measured, ${a.connected} connected, ${a.failed} failed, ramp ${a.rampPerS}/s`,
    `join time p50 ${ms(a.joinTimeMs.p50, 0)}, p95 ${ms(a.joinTimeMs.p95, 0)}, max ${ms(a.joinTimeMs.max, 0)}`,
    `session medians (${method}): p50 ${signedMs(medians.p50)}, min ${signedMs(medians.min)}, max ${signedMs(medians.max)}, spread ${ms(spread)} over ${medians.count} sessions`,
    worst ? `worst session #${worst.index} at ${signedMs(worst.offsetMs)}` : "no session measured an offset",
    `lost packets ${int(a.lostPackets.audio)} audio, ${int(a.lostPackets.video)} video`,
  ].join(" · ");
  return { rows, aggregate };
}

const evidenceValue = (v: number | string | null): string => (v === null ? "n/a" : typeof v === "number" ? String(Math.round(v * 100) / 100) : v);

/** The anomalies the probe named, with their evidence; for a multi-session run they are the first measured session's. */
export function anomaliesOf(result: RunResult): AnomalyRow[] {
  if (!isBenchResult(result)) return [];
  return (result.probe?.anomalies ?? []).map((a) => ({
    name: a.name,
    stream: a.stream,
    message: a.message,
    evidence: Object.entries(a.evidence).map(([key, value]) => `${key} ${evidenceValue(value)}`).join(" · "),
  }));
}

/** The verdict when no gate was asked for: the probe's ITU-R BT.1359 detectability judgement, or the storm's failures. */
export function defaultVerdictOf(result: RunResult): DefaultVerdict {
  const reason = incompleteReasonOf(result);
  if (reason) return { pass: false, text: `Incomplete run: ${reason}` };
  if (!isBenchResult(result)) {
    return result.cycles.failed === 0
      ? { pass: true, text: `All ${int(result.cycles.started)} cycles succeeded.` }
      : { pass: false, text: `${int(result.cycles.failed)} of ${int(result.cycles.started)} cycles failed.` };
  }
  const probe = result.probe;
  if (!probe) return { pass: null, text: "Nothing was measured." };
  const chosen = contentOffsetOf(result)!;
  const v = chosen.source === "sender" ? probe.verdict.sender : probe.verdict.arrival;
  if (v.pass === null) return { pass: null, text: "No markers measured: ITU-R BT.1359 cannot be judged." };
  return { pass: v.pass, text: `ITU-R BT.1359 detectability ${v.lowMs}…+${v.highMs} ms: ${v.pass ? "pass" : "fail"}, worst marker ${signedMs(v.worstMs)}.` };
}

/** Where, when and with what the run was measured, as label/value rows. */
export function metadataOf(result: RunResult): Array<[string, string]> {
  const m = result.meta;
  const rows: Array<[string, string]> = [
    ["command", m.command],
    ["started", m.startedAt],
    ["duration", m.durationS === null ? "n/a" : `${m.durationS.toFixed(1)} s`],
    ["complete", result.complete ? "yes" : `no — ${incompleteReasonOf(result)}`],
    ["avsync", m.avsyncVersion],
    ["Node.js", m.nodeVersion],
    ["werift", m.weriftVersion],
    ["kernel", `${m.kernel} (${m.platform})`],
    ["host", `${m.hostname}, ${m.cpuCount} × ${m.cpuModel}`],
  ];
  if (isBenchResult(result)) {
    rows.push(["target", `${result.config.target.kind} ${result.config.target.url}`]);
    const inj = result.config.injections;
    rows.push(["injections", `content ${inj.contentOffsetMs} ms, schedule ${inj.scheduleOffsetMs} ms, timestamp ${inj.timestampOffsetMs} ms, dropped video ${inj.dropVideoFrames.length}, audio ${inj.dropAudioFrames.length} frames`]);
  } else {
    rows.push(["topology", `${result.topology.kind} → ${result.topology.target}`]);
    const { sampler } = result.meta;
    rows.push(["sampler", `${sampler.tool ?? "none"} (sockstat ${sampler.sockstatMeanMs.toFixed(2)} ms, ss ${sampler.ssMeanMs.toFixed(1)} ms a read)`]);
  }
  rows.push(["flags", flagsLine(m.flags)]);
  return rows;
}

/** The flags a run was started with, as one command-line-like string. */
export function flagsLine(flags: Record<string, unknown>): string {
  return Object.entries(flags)
    .filter(([, v]) => v !== undefined && v !== false && v !== "")
    .map(([k, v]) => (v === true ? `--${k}` : `--${k} ${Array.isArray(v) ? v.join(" ") : String(v)}`))
    .join(" ");
}

function compactList(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    parts.push(j > i ? `${values[i]}–${values[j]}` : `${values[i]}`);
    i = j + 1;
  }
  return parts.join(", ");
}
