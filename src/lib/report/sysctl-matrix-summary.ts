import type { MatrixCellSummary, SysctlMatrixResult } from "../matrix/index.js";
import { escapeMarkdown as md } from "./escape.js";

const seconds = (value: number | null): string => (value === null ? "–" : `${value.toFixed(1)} s`);
const ms = (us: number): string => (us / 1000).toFixed(2);

function cellRow(cell: MatrixCellSummary): string {
  const failures = cell.eaddrnotavail ? `${cell.eaddrnotavail} (first at ${seconds(cell.firstFailureS)})` : "0";
  const reuse = !cell.portReuse ? "–" : cell.portReuse.reusedAfterMs === null ? "never ≤ 10 s" : `${Math.round(cell.portReuse.reusedAfterMs)} ms`;
  const latency = cell.connectUs.count ? `${ms(cell.connectUs.p50)} / ${ms(cell.connectUs.p95)} / ${ms(cell.connectUs.p99)}` : "–";
  return `| ${md(cell.label)} | ${cell.cycles.succeeded}/${cell.cycles.started} | ${cell.timeWaitPeak.total} | ${seconds(cell.lifetimeS.fromTimers)} / ${seconds(cell.lifetimeS.fromDrain)} | ${failures} | ${reuse} | ${latency} | ${cell.counters.TWRecycled} | ${cell.counters.TCPTimeWaitOverflow} |`;
}

// A stored URL becomes a link only when it is a plain http(s) URL; anything else is shown as text.
function docsLink(url: string): string {
  return /^https?:\/\/[^\s()<>\[\]`]+$/.test(url) ? `[kernel documentation](${url})` : `kernel documentation: ${md(url)}`;
}

/** The matrix as Markdown: one row per cell, then each sysctl's verdict with its numbers and kernel documentation; for summary.md and the terminal. */
export function formatSysctlMatrixSummary(result: SysctlMatrixResult): string {
  const lines = [
    `# tw-storm sysctl matrix${result.complete ? "" : " (INCOMPLETE)"}`,
    "",
    `Same storm per cell, each in fresh namespaces with the cell's sysctls; kernel ${md(result.meta.kernel)}.`,
    "",
    "| cell | ok/started | peak TIME_WAIT | TIME_WAIT lifetime (ss timers / drain) | EADDRNOTAVAIL | TIME_WAIT port reused after | connect p50 / p95 / p99 ms | TWRecycled | TCPTimeWaitOverflow |",
    "|---|---|---|---|---|---|---|---|---|",
    ...result.cells.map((cell) => (cell.summary ? cellRow(cell.summary) : `| ${md(cell.label)} | failed: ${md(cell.error)} | | | | | | | |`)),
    "",
    "## Verdicts",
  ];
  for (const verdict of result.verdicts) {
    const fixed = Object.entries(verdict.heldFixed).map(([key, value]) => `${key}=${value}`).join(", ");
    lines.push("", `### ${md(verdict.key)}${fixed ? ` (with ${md(fixed)})` : ""}`, "", `- ${md(verdict.headline)}.`);
    for (const entry of verdict.changed.filter((entry) => entry.metric !== "TIME_WAIT lifetime")) lines.push(`- changed: ${md(entry.sentence)}.`);
    const unchanged = verdict.unchanged.filter((entry) => entry.metric !== "TIME_WAIT lifetime").map((entry) => md(entry.sentence));
    if (unchanged.length) lines.push(`- unchanged: ${unchanged.join("; ")}.`);
    lines.push(`- what it is: ${md(verdict.fact)} (${docsLink(verdict.docsUrl)})`);
  }
  if (result.warnings.length) lines.push("", ...result.warnings.map((warning) => `WARNING: ${md(warning)}`));
  return lines.join("\n");
}
