import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { formatDoctorReport } from "./doctor-summary.js";
import { compareMetrics, evaluateGate, exitCodeOf, parseGateSpec, parseMaxRegression, type GateReport, type GateSpec, type MetricDelta } from "../gate/index.js";
import { formatSysctlMatrixSummary } from "./sysctl-matrix-summary.js";
import { formatRestartTable } from "./restart-summary.js";
import { chartSpecsFor } from "./chart-specs.js";
import { htmlOutput } from "./html-output.js";
import { junitOutput } from "./junit-output.js";
import { markdownOutput } from "./markdown-output.js";
import { pngOutput } from "./png-output.js";
import type { RenderedRun, ReportInput, ReportOutput } from "./report-output.js";
import { loadAnyResult, loadRunResult, isRunResult, type AnyResult, type RunResult } from "../results/index.js";
import { writeResultJson } from "../run/index.js";
import { terminalSummary } from "./terminal-summary.js";
import { mergeShards, type BenchResult } from "../bench/index.js";

/** Every output a run folder gets; a new output is one more entry here. */
export const reportOutputs: readonly ReportOutput[] = [htmlOutput, pngOutput, markdownOutput, junitOutput];

/** Gate options as a command's flags give them. */
export interface GateOptions {
  gate?: string[];
  threshold?: string[];
  baseline?: string;
  maxRegression?: string;
}

/** Parses a command's gate flags (loading and validating the baseline) before anything runs; null when ungated. */
export function prepareGate(options: GateOptions, command: "bench" | "tw-storm"): GateSpec | null {
  const baseline = options.baseline ? { label: options.baseline, result: loadRunResult(options.baseline).result } : null;
  return parseGateSpec({ gate: options.gate, threshold: options.threshold, maxRegression: options.maxRegression }, command, baseline);
}

/** What writing a run's folder produced: its files, the gate's verdict and the exit code the command must use. */
export interface FinishedRun {
  files: string[];
  gate: GateReport | null;
  exitCode: number;
}

async function writeOutputs(input: ReportInput, folder: string, outputs: readonly ReportOutput[]): Promise<string[]> {
  const files: string[] = [];
  for (const output of outputs) files.push(...(await output.write(input, folder)));
  return files;
}

const rendered = (label: string, result: RunResult): RenderedRun => ({ label, result, charts: chartSpecsFor(result) });

/** Renders every output of one run into its folder (result.json is not rewritten) and gates it when asked. */
export async function renderRunReports(
  folder: string,
  result: RunResult,
  gateSpec: GateSpec | null,
  options: { interrupted?: boolean; outputs?: readonly ReportOutput[] } = {},
): Promise<FinishedRun> {
  const gate = gateSpec ? evaluateGate(result, gateSpec) : null;
  const files = await writeOutputs({ kind: "run", run: rendered(basename(folder), result), gate }, folder, options.outputs ?? reportOutputs);
  return { files, gate, exitCode: exitCodeOf({ complete: result.complete, interrupted: options.interrupted ?? false }, gate) };
}

/** What ending a run produced: `FinishedRun` and the text the command prints to stderr. */
export interface EndedRun extends FinishedRun {
  terminal: string;
}

/**
 * Ends a run of any kind, the one way every command does: writes result.json (synchronously, before
 * anything else) when there is a folder, then every report, even for a failed or interrupted run —
 * bench and tw-storm results get their charts, HTML, summary.md and junit.xml; the other kinds
 * summary.md. An interrupted run skips the PNGs, which take most of a second to draw: the user asked
 * to stop, report.html has the same charts, and `avsync report` draws them later.
 */
export async function finishRun(result: AnyResult, options: { folder: string | null; gateSpec?: GateSpec | null; interrupted?: boolean }): Promise<EndedRun> {
  const { folder, gateSpec = null, interrupted = false } = options;
  if (folder === null) return { files: [], gate: null, exitCode: exitCodeOf({ complete: true, interrupted }, null), terminal: terminalSummary(result, null, null) };
  const resultFile = writeResultJson(folder, result);
  let finished: FinishedRun;
  if (isRunResult(result)) {
    const outputs = interrupted ? reportOutputs.filter((output) => output !== pngOutput) : reportOutputs;
    finished = await renderRunReports(folder, result, gateSpec, { interrupted, outputs });
  } else {
    finished = writeSummaryOnly(folder, result, interrupted);
  }
  return { ...finished, files: [resultFile, ...finished.files], terminal: terminalSummary(result, folder, finished.gate) };
}

/** What `avsync report` produced. */
export interface ReportSummary {
  folder: string;
  files: string[];
  gate: GateReport | null;
  deltas: MetricDelta[] | null;
  exitCode: number;
}

// A run re-rendered without gate flags is gated as it was when it ran (its flags are in meta).
function recordedGate(result: RunResult): GateOptions {
  const flags = result.meta.flags as Record<string, unknown>;
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : undefined);
  return {
    gate: list(flags.gate),
    threshold: list(flags.threshold),
    baseline: typeof flags.baseline === "string" ? flags.baseline : undefined,
    maxRegression: typeof flags["max-regression"] === "string" ? flags["max-regression"] : undefined,
  };
}

const asked = (o: GateOptions): boolean => Boolean(o.gate?.length || o.threshold?.length || o.baseline);

// The summary.md each command writes for a result that has no charts or gate; the doctor's terminal text is kept verbatim.
function summaryOnlyMarkdown(result: Exclude<AnyResult, RunResult>): string {
  if (result.schema === "avsync/tw-storm-matrix-result") return formatSysctlMatrixSummary(result);
  if (result.schema === "avsync/restart-test-result") return formatRestartTable(result);
  return `# avsync doctor\n\n\`\`\`text\n${formatDoctorReport(result)}\n\`\`\``;
}

function writeSummaryOnly(folder: string, result: Exclude<AnyResult, RunResult>, interrupted: boolean): FinishedRun {
  const summaryFile = join(folder, "summary.md");
  writeFileSync(summaryFile, `${summaryOnlyMarkdown(result)}\n`);
  const complete = result.schema === "avsync/tw-storm-matrix-result" ? result.complete : true;
  return { files: [summaryFile], gate: null, exitCode: exitCodeOf({ complete, interrupted }, null) };
}

function summaryOnlyReport(path: string, file: string, result: Exclude<AnyResult, RunResult>, options: GateOptions & { out?: string }): ReportSummary {
  if (asked(options) || options.maxRegression) {
    throw new Error(`\`${path}\` holds an ${result.schema} result, which has no gate: --gate, --threshold, --baseline and --max-regression apply to bench and tw-storm results.`);
  }
  const folder = resolve(options.out ?? dirname(file));
  mkdirSync(folder, { recursive: true });
  return { folder, deltas: null, ...writeSummaryOnly(folder, result, false) };
}

/** `avsync report <run>`: validates a result.json and re-renders every output from it alone (summary.md only for kinds without charts). */
export async function reportFromFile(path: string, options: GateOptions & { out?: string }): Promise<ReportSummary> {
  const { file, result } = loadAnyResult(path);
  if (!isRunResult(result)) return summaryOnlyReport(path, file, result, options);
  const command = result.schema === "avsync/bench-result" ? "bench" : "tw-storm";
  const gateSpec = prepareGate(asked(options) ? options : { ...recordedGate(result), maxRegression: options.maxRegression ?? recordedGate(result).maxRegression }, command);
  const folder = resolve(options.out ?? dirname(file));
  mkdirSync(folder, { recursive: true });
  const finished = await renderRunReports(folder, result, gateSpec);
  return { folder, files: finished.files, gate: finished.gate, deltas: null, exitCode: finished.exitCode };
}

/** `avsync report --compare <base> <head>`: both runs side by side with deltas; gated when asked (the base serves as baseline). */
export async function compareFromFiles(basePath: string, headPath: string, options: GateOptions & { out: string }): Promise<ReportSummary> {
  const base = loadRunResult(basePath);
  const head = loadRunResult(headPath);
  const maxRegressionPct = parseMaxRegression(options.maxRegression ?? "10%");
  const deltas = compareMetrics(base.result, head.result, maxRegressionPct);
  const command = head.result.schema === "avsync/bench-result" ? "bench" : "tw-storm";
  const gateSpec = asked(options) || options.maxRegression ? prepareGate({ ...options, baseline: options.baseline ?? basePath }, command) : null;
  const gate = gateSpec ? evaluateGate(head.result, gateSpec) : null;
  const folder = resolve(options.out);
  mkdirSync(folder, { recursive: true });
  const input: ReportInput = { kind: "compare", base: rendered(basePath, base.result), head: rendered(headPath, head.result), deltas, maxRegressionPct, gate };
  const files = await writeOutputs(input, folder, reportOutputs);
  return { folder, files, gate, deltas, exitCode: exitCodeOf({ complete: head.result.complete, interrupted: false }, gate) };
}

/**
 * `avsync report --merge <shards…>`: adds the shards of one run into one result.json in `out`, with its
 * reports and one gate verdict (the given gate flags, else the first shard's). A missing or failed
 * shard makes the merged run incomplete (exit 2), named.
 */
export async function mergeFromFiles(paths: readonly string[], options: GateOptions & { out: string }): Promise<ReportSummary & { incompleteReason: string | null }> {
  const inputs = paths.map((path) => {
    const { file, result } = loadRunResult(path);
    if (result.schema !== "avsync/bench-result") throw new Error(`\`${path}\` is a ${result.schema} result; --merge adds bench shards.`);
    return { source: file, result: result as BenchResult };
  });
  const merged = mergeShards(inputs);
  const gateSpec = prepareGate(asked(options) ? options : { ...recordedGate(merged), maxRegression: options.maxRegression ?? recordedGate(merged).maxRegression }, "bench");
  const folder = resolve(options.out);
  mkdirSync(folder, { recursive: true });
  const finished = await finishRun(merged, { folder, gateSpec });
  return { folder, files: finished.files, gate: finished.gate, deltas: null, exitCode: finished.exitCode, incompleteReason: merged.incompleteReason };
}
