// The run room, at the bottom: what every runner needs to record a run (metadata, its folder, the
// exit codes). It imports no other room, so loading a runner loads no renderer.
export { collectRunMetadata, type RunMetadata } from "./run-metadata.js";
export { createRunFolder, writeResultJson } from "./run-folder.js";
export { exitCodes } from "./exit-codes.js";
export { heapFigures, type HeapFigures } from "./heap-watch.js";
