export { startEmbeddedTarget } from "./embedded-target.js";
export type { EmbeddedTarget, EmbeddedTargetOptions, TargetSession } from "./embedded-target.js";
