export { startEmbeddedTarget } from "./embedded-target.js";
export { startEmbeddedTargetThread } from "./target-thread.js";
export type { EmbeddedTarget, EmbeddedTargetOptions, TargetSession } from "./embedded-target.js";
export { startWhipPublisher, type WhipPublishOptions } from "./whip-publisher.js";
export { startTalkingHead, type SpokenReply, type TalkingHead, type TalkingHeadOptions } from "./talking-head-target.js";
