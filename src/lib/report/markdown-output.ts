import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GateReport, MetricDelta } from "../gate/index.js";
import { escapeMarkdown as md } from "./escape.js";
import { anomaliesOf, cardsOf, defaultVerdictOf, eventsOf, formatFigure, headlineOf, metadataOf, sessionsOf } from "./report-facts.js";
import type { RenderedRun, ReportInput, ReportOutput } from "./report-output.js";

// A PR comment should stay short: the rest is in report.html.
const maxEventRows = 10;
const maxSessionRows = 20;

function verdictLines(gate: GateReport | null, run: RenderedRun): string[] {
  if (gate) {
    const failed = gate.checks.filter((c) => !c.pass);
    const lines = [`**${gate.pass ? "✅ PASS" : "❌ FAIL"}** — gate: ${gate.checks.length - failed.length} of ${gate.checks.length} checks passed.`, ""];
    lines.push("| check | result | detail |", "|---|---|---|");
    for (const c of gate.checks) lines.push(`| ${md(c.name)} | ${c.pass ? "✅ pass" : "❌ **FAIL**"} | ${md(c.message)} |`);
    return lines;
  }
  const v = defaultVerdictOf(run.result);
  return [`**${v.pass === null ? "➖ N/A" : v.pass ? "✅ PASS" : "❌ FAIL"}** — ${md(v.text)} (no gate asked for)`];
}

function cardsTable(run: RenderedRun): string[] {
  const icon = { ok: "🟢", warn: "🟠", bad: "🔴", info: "⚪" } as const;
  return ["| | figure | value | detail |", "|---|---|---|---|", ...cardsOf(run.result).map((c) => `| ${icon[c.status]} | ${md(c.label)} | ${md(c.value)} | ${md(c.detail)} |`)];
}

function eventsTable(run: RenderedRun): string[] {
  const rows = eventsOf(run.result);
  if (run.result.schema !== "avsync/bench-result") return [];
  if (!rows.length) return ["No continuity events (discontinuities, lost packets, gaps, unpaired markers)."];
  const lines = ["| stream | event | at | detail |", "|---|---|---|---|", ...rows.slice(0, maxEventRows).map((r) => `| ${md(r.stream)} | ${md(r.event)} | ${md(r.at)} | ${md(r.detail)} |`)];
  if (rows.length > maxEventRows) lines.push("", `… and ${rows.length - maxEventRows} more in report.html.`);
  return lines;
}

// The worst session is always listed, however many precede it.
function sessionsTable(run: RenderedRun): string[] {
  const sessions = sessionsOf(run.result);
  if (!sessions) return [];
  const shown = sessions.rows.filter((r, i) => i < maxSessionRows || r.worst);
  const lines = [
    `**Sessions** — ${md(sessions.aggregate)}`,
    "",
    "| session | session id | join time | offset p50, sender clock | offset p95, sender clock | lost packets | anomalies | note |",
    "|---|---|---:|---:|---:|---|---:|---|",
    ...shown.map((r) => `| ${r.worst ? `**${md(r.session)}** 🔴` : md(r.session)} | ${md(r.sessionId)} | ${md(r.joinTime)} | ${md(r.senderP50)} | ${md(r.senderP95)} | ${md(r.lostPackets)} | ${r.anomalies} | ${md(r.note)} |`),
  ];
  if (shown.length < sessions.rows.length) lines.push("", `… and ${sessions.rows.length - shown.length} more sessions in report.html.`);
  return [...lines, ""];
}

function anomaliesList(run: RenderedRun): string[] {
  const rows = anomaliesOf(run.result);
  if (!rows.length) return [];
  const scope = sessionsOf(run.result) ? " (first measured session)" : "";
  return [`**Anomalies**${scope}`, "", ...rows.map((r) => `- **${md(r.name)}** (${md(r.stream)}): ${md(r.message)} — evidence: ${md(r.evidence)}`), ""];
}

function runDetails(run: RenderedRun): string[] {
  return ["<details><summary>Run metadata</summary>", "", "| | |", "|---|---|", ...metadataOf(run.result).map(([k, v]) => `| ${md(k)} | ${md(v)} |`), "", "</details>"];
}

function runMarkdown(run: RenderedRun, gate: GateReport | null): string {
  return [
    `### ${md(headlineOf(run.result))}`,
    "",
    ...verdictLines(gate, run),
    "",
    ...cardsTable(run),
    "",
    ...sessionsTable(run),
    ...anomaliesList(run),
    ...eventsTable(run),
    "",
    "Offsets are t(video) − t(audio): positive means audio leads. Charts: report.html and the PNGs in the run folder.",
    "",
    ...runDetails(run),
    "",
  ].join("\n");
}


function deltaRows(deltas: MetricDelta[]): string[] {
  const status = { regressed: "🔴 **REGRESSED**", worse: "🟠 worse", same: "⚪ same", better: "🟢 better", "no data": "➖ no data" } as const;
  return [
    "| metric | base | head | Δ | status |",
    "|---|---:|---:|---:|---|",
    ...deltas.map((d) => `| \`${d.name}\` | ${formatFigure(d.base, d.unit)} | ${formatFigure(d.head, d.unit)} | ${formatFigure(d.delta, d.unit, true)} | ${status[d.status]} |`),
  ];
}

function compareMarkdown(input: Extract<ReportInput, { kind: "compare" }>): string {
  const regressions = input.deltas.filter((d) => d.status === "regressed");
  const verdict = input.gate
    ? verdictLines(input.gate, input.head)
    : [
        regressions.length
          ? `**🔴 ${regressions.length} regression${regressions.length > 1 ? "s" : ""}** beyond --max-regression ${input.maxRegressionPct}% and the noise floor: ${regressions.map((d) => `\`${d.name}\``).join(", ")}.`
          : `**🟢 No regression** beyond --max-regression ${input.maxRegressionPct}% and the noise floor.`,
      ];
  return [
    `### ${md(headlineOf(input.head.result).replace(/^avsync /, "avsync compare: "))}`,
    "",
    `base: ${md(input.base.label)} (${md(input.base.result.meta.startedAt)}) → head: ${md(input.head.label)} (${md(input.head.result.meta.startedAt)})`,
    "",
    ...verdict,
    "",
    ...deltaRows(input.deltas),
    "",
    "<details><summary>head run</summary>",
    "",
    ...cardsTable(input.head),
    "",
    "</details>",
    "",
  ].join("\n");
}

/** summary.md: fits a pull-request comment; also appended to $GITHUB_STEP_SUMMARY when a GitHub Actions step runs it. */
export const markdownOutput: ReportOutput = {
  name: "markdown",
  async write(input, folder) {
    const text = input.kind === "run" ? runMarkdown(input.run, input.gate) : compareMarkdown(input);
    const path = join(folder, "summary.md");
    writeFileSync(path, text);
    const stepSummary = process.env.GITHUB_STEP_SUMMARY;
    if (stepSummary) appendFileSync(stepSummary, `${text}\n`);
    return [path];
  },
};
