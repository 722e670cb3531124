export { closeModes, expectedTimeWaitHolder, type CloseMode } from "./close-mode.js";
export { createLoadShape, meanRatePerS, splitLoadShape, type LoadShape, type LoadShapeSpec } from "./load-shape.js";
export { runWsCycle, type CycleOutcome } from "./ws-cycle.js";
export { startStormServer, type StormServer } from "./storm-server.js";
export { loopbackWarning } from "./storm-topology.js";
export { maxCycles, maxDurationS, twStormOptionsFromFlags, type TwStormFlags, type TwStormOptions } from "./tw-storm-options.js";
export type { TwStormResult } from "./tw-storm-result.js";
export { runTwStorm, type TwStormEvents, type TwStormProgress } from "./tw-storm-runner.js";
export { formatTwStormProgress, formatTwStormSummary } from "./tw-storm-summary.js";
