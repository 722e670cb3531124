import type { GateReport } from "../gate/index.js";
import type { AnyResult } from "../results/index.js";
import { renderBenchSummary } from "./bench-summary.js";
import { renderBrowserSummary } from "./browser-summary.js";
import { formatDoctorReport } from "./doctor-summary.js";
import { renderGateSummary } from "./gate-summary.js";
import { formatRestartTable } from "./restart-summary.js";
import { formatSysctlMatrixSummary } from "./sysctl-matrix-summary.js";
import { formatTwStormSummary } from "./tw-storm-summary.js";

/**
 * What a command prints to stderr after its run, for every result kind: the run's own summary, the
 * gate's verdict when gated, and where the files are (`folder` is null when nothing was written).
 */
export function terminalSummary(result: AnyResult, folder: string | null, gate: GateReport | null): string {
  const gated = gate ? [renderGateSummary(gate)] : [];
  switch (result.schema) {
    case "avsync/bench-result": {
      // A run that measured nothing (the target refused, never answered) is told in the command's one error line.
      const probe = result.probe ? [renderBenchSummary(result, folder ?? "."), ...gated, `Report: ${folder}/report.html`] : [];
      return [...probe, ...(result.browser ? [renderBrowserSummary(result.browser)] : [])].join("\n");
    }
    case "avsync/tw-storm-result":
      return [formatTwStormSummary(result, folder ?? "."), ...gated, `report: ${folder}/report.html`].join("\n");
    case "avsync/tw-storm-matrix-result":
      return `${formatSysctlMatrixSummary(result)}\nresult: ${folder}/result.json`;
    case "avsync/restart-test-result":
      return `${formatRestartTable(result)}\nresult: ${folder}/result.json`;
    default:
      return formatDoctorReport(result);
  }
}
