export { renderBenchSummary } from "./bench-summary.js";
export { chartSpecsFor, type ChartSpec } from "./chart-specs.js";
export type { ReportOutput, ReportInput, RenderedRun } from "./report-output.js";
export {
  reportOutputs,
  prepareGate,
  renderRunReports,
  finishRun,
  reportFromFile,
  compareFromFiles,
  mergeFromFiles,
  type GateOptions,
  type FinishedRun,
  type EndedRun,
  type ReportSummary,
} from "./render-report.js";
export { renderGateSummary, gateFailureMessage } from "./gate-summary.js";
export { formatDoctorReport } from "./doctor-summary.js";
export { formatSysctlMatrixSummary } from "./sysctl-matrix-summary.js";
export { formatRestartTable } from "./restart-summary.js";
export { terminalSummary } from "./terminal-summary.js";
export { formatTwStormProgress, formatTwStormSummary } from "./tw-storm-summary.js";
export { renderBrowserSummary } from "./browser-summary.js";
