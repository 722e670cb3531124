export { PusherSession, describeInjections, noInjections } from "./pusher-session.js";
export type { PusherMode, Injections, PusherOptions, PushContent, PacingReport, SentMarker, StreamPacing } from "./pusher-session.js";
export type { MediaOutput } from "./media-output.js";
export { parseFrameList } from "./frame-list.js";
export { mediaScheduler } from "./media-scheduler.js";
export { contentLeadIn, countExpectedMarkers, type ContentLeadIn } from "./content-lead-in.js";
export { LatenessLog } from "./lateness-log.js";
