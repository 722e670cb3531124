import { gatePresets, judgeOffset, type GatePreset } from "../analysis/index.js";
import type { BenchResult } from "../bench/index.js";
import { exitCodes } from "../run/index.js";
import type { RunResult } from "../results/index.js";
import { compareMetrics, parseMaxRegression } from "./compare-metrics.js";
import { collectMetrics, judgedMarkersOf } from "./metrics.js";
import { compareWith, parseThreshold, type Threshold } from "./threshold.js";

/** What a run is gated on, parsed and validated before the run starts. */
export interface GateSpec {
  presets: GatePreset[];
  thresholds: Threshold[];
  baseline: { label: string; result: RunResult; maxRegressionPct: number } | null;
}

// Where a check comes from, so reports can group them.
export type GateCheckKind = "run" | "preset" | "threshold" | "baseline";

/** One pass/fail line of the gate: one JUnit test case, one Markdown row. */
export interface GateCheck {
  kind: GateCheckKind;
  name: string;
  pass: boolean;
  /** The figure judged, in `unit`; null when the run had no data for it (which fails). */
  observed: number | null;
  unit: string;
  /** One sentence saying what was checked and, on failure, by how much it missed. */
  message: string;
}

/** The gate's verdict on one run. */
export interface GateReport {
  pass: boolean;
  checks: GateCheck[];
}

/** Gate options as flags give them, before parsing. */
export interface GateFlags {
  gate?: string[];
  threshold?: string[];
  maxRegression?: string;
}

/** Parses presets and thresholds for a command's results, so bad input fails before a run; the baseline is loaded by the caller. */
export function parseGateSpec(flags: GateFlags, command: "bench" | "tw-storm", baseline: { label: string; result: RunResult } | null): GateSpec | null {
  const presets = (flags.gate ?? []).map((name) => {
    if (!(name in gatePresets)) throw new Error(`Expected \`--gate\` to be one of ${Object.keys(gatePresets).join(", ")}, got \`${name}\`.`);
    if (command !== "bench") throw new Error(`\`--gate ${name}\` judges lip-sync offsets, which ${command} results do not have; use --threshold.`);
    return name as GatePreset;
  });
  const thresholds = (flags.threshold ?? []).map((expression) => parseThreshold(expression, command));
  if (baseline && baseline.result.meta.command !== command) {
    throw new Error(`Baseline \`${baseline.label}\` is a ${baseline.result.meta.command} result; a ${command} run needs a ${command} baseline.`);
  }
  const maxRegressionPct = parseMaxRegression(flags.maxRegression ?? "10%");
  if (!presets.length && !thresholds.length && !baseline) return null;
  return { presets, thresholds, baseline: baseline && { ...baseline, maxRegressionPct } };
}

// Times keep one decimal below 100 whatever the float happens to be, so +60.0 never prints as +60;
// counts print whole when they are whole.
const fmt = (value: number, unit: string): string => {
  const isTime = unit === "ms" || unit === "s";
  const digits = unit === "ratio" ? 3 : isTime ? (Math.abs(value) >= 100 ? 0 : 1) : Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)}${unit === "ms" || unit === "s" ? ` ${unit}` : ""}`;
};
// A limit the user wrote is quoted as written (45, not 45.0).
const limit = (value: number, unit: string): string => `${value}${unit === "ms" || unit === "s" ? ` ${unit}` : ""}`;
const signed = (value: number, unit: string): string => `${value >= 0 ? "+" : ""}${fmt(value, unit)}`;

/** Checks a result against a gate: the one function that decides whether a run passed. */
export function evaluateGate(result: RunResult, spec: GateSpec): GateReport {
  const checks: GateCheck[] = [
    {
      kind: "run",
      name: "run completed",
      pass: result.complete,
      observed: result.complete ? 1 : 0,
      unit: "",
      message: result.complete ? "The run completed." : `The run did not complete: ${"incompleteReason" in result ? result.incompleteReason : "interrupted"}.`,
    },
  ];
  if (spec.presets.length && result.schema === "avsync/bench-result") checks.push(...spec.presets.map((preset) => presetCheck(result, preset)));
  const metrics = collectMetrics(result);
  for (const t of spec.thresholds) {
    const metric = metrics.get(t.metric);
    const observed = metric?.aggregates[t.aggregate] ?? null;
    const unit = metric?.unit ?? "";
    const name = t.source;
    if (observed === null) {
      checks.push({ kind: "threshold", name, pass: false, observed, unit, message: `\`${t.source}\`: the run has no data for ${t.metric}.${t.aggregate}.` });
      continue;
    }
    const pass = compareWith(observed, t.operator, t.value);
    const miss = Math.abs(observed - t.value);
    checks.push({
      kind: "threshold",
      name,
      pass,
      observed,
      unit,
      message: pass
        ? `${t.metric}.${t.aggregate} = ${fmt(observed, unit)} (limit ${t.operator} ${fmt(t.value, unit)}).`
        : `${t.metric}.${t.aggregate} = ${fmt(observed, unit)}, not ${t.operator} ${limit(t.value, unit)}${t.operator === "==" || t.operator === "!=" ? "" : `: off by ${fmt(miss, unit)}`}.`,
    });
  }
  if (spec.baseline) {
    for (const row of compareMetrics(spec.baseline.result, result, spec.baseline.maxRegressionPct)) {
      if (row.status === "no data") continue;
      const pass = row.status !== "regressed";
      checks.push({
        kind: "baseline",
        name: `baseline ${row.name}`,
        pass,
        observed: row.head,
        unit: row.unit,
        message:
          `${row.name} ${fmt(row.base!, row.unit)} → ${fmt(row.head!, row.unit)} (${signed(row.delta!, row.unit)}; ` +
          `${pass ? "within" : "beyond"} the ${fmt(row.allowance!, row.unit)} allowed by --max-regression ${spec.baseline.maxRegressionPct}% and the noise floor).`,
      });
    }
  }
  return { pass: checks.every((c) => c.pass), checks };
}

function presetCheck(result: BenchResult, preset: GatePreset): GateCheck {
  const window = gatePresets[preset];
  const markers = judgedMarkersOf(result);
  // A talking head carries no markers: its per-utterance lip-sync offsets are judged instead (same sign convention).
  const talk = result.talk?.measurements?.lipOffsetMs;
  const byTalk = (markers?.summary.count ?? 0) === 0 && talk !== undefined && talk.count > 0;
  const offset = byTalk ? { source: "talk" as const, summary: talk } : markers;
  const name = `${preset}: ${byTalk ? "talk.lipOffset" : "offset.content"} within ${window.lowMs}…+${window.highMs} ms`;
  const judgement = offset ? judgeOffset(offset.summary, preset) : null;
  if (!offset || !judgement || judgement.pass === null || judgement.worstMs === null) {
    return { kind: "preset", name, pass: false, observed: null, unit: "ms", message: `${window.source}: no markers were measured, so the offset cannot be judged.` };
  }
  const where = (offset.source === "talk" ? "markerless, per utterance" : offset.source === "sender" ? "sender clock" : "at arrival") + (offset.source !== "talk" && markers?.scope ? `, ${markers.scope}` : "");
  const unitName = offset.source === "talk" ? "utterance" : "marker";
  const worst = judgement.worstMs;
  const past = worst > window.highMs ? `${fmt(worst - window.highMs, "ms")} above +${window.highMs} ms` : `${fmt(window.lowMs - worst, "ms")} below ${window.lowMs} ms`;
  return {
    kind: "preset",
    name,
    pass: judgement.pass,
    observed: worst,
    unit: "ms",
    message: judgement.pass
      ? `${window.source}: all ${offset.summary.count} ${unitName}s within ${window.lowMs}…+${window.highMs} ms (worst ${signed(worst, "ms")}, ${where}).`
      : `${window.source}: worst ${unitName} ${signed(worst, "ms")} is ${past} (${where}, ${offset.summary.count} ${unitName}s).`,
  };
}

/** The exit code of a run: interrupted and failed runs first (their gate cannot be trusted), then the gate. */
export function exitCodeOf(run: { complete: boolean; interrupted: boolean }, gate: GateReport | null): number {
  if (run.interrupted) return exitCodes.interrupted;
  if (!run.complete) return exitCodes.runFailed;
  return gate && !gate.pass ? exitCodes.gateFailed : exitCodes.ok;
}
