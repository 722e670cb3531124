export { collectRunMetadata, type RunMetadata } from "./run-metadata.js";
export { createRunFolder, writeResultJson } from "./run-folder.js";
export { renderBenchSummary } from "./bench-summary.js";
