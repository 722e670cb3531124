export { collectRunMetadata, type RunMetadata } from "./run-metadata.js";
export { createRunFolder, writeResultJson } from "./run-folder.js";
export { renderBenchSummary } from "./bench-summary.js";
export { isBenchResult, isRunResult, incompleteReasonOf, type AnyResult, type RunResult } from "./run-result.js";
export { loadAnyResult, loadRunResult, findSchemaViolation, resultSchemas } from "./result-schema.js";
export { chartSpecsFor, type ChartSpec } from "./chart-specs.js";
export type { ReportOutput, ReportInput, RenderedRun } from "./report-output.js";
export {
  reportOutputs,
  prepareGate,
  renderRunReports,
  finishRunFolder,
  reportFromFile,
  compareFromFiles,
  type GateOptions,
  type FinishedRun,
  type ReportSummary,
} from "./render-report.js";
export { renderGateSummary, gateFailureMessage } from "./gate-summary.js";
export { formatDoctorReport } from "./doctor-summary.js";
export { formatSysctlMatrixSummary } from "./sysctl-matrix-summary.js";
export { formatRestartTable } from "./restart-summary.js";
