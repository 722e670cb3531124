export { startEmbeddedTarget } from "./embedded-target.js";
export { startEmbeddedTargetThread } from "./target-thread.js";
export type { EmbeddedTarget, EmbeddedTargetOptions, TargetSession } from "./embedded-target.js";
export { startWhipPublisher, type WhipPublishOptions } from "./whip-publisher.js";
