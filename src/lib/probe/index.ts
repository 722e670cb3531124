export { recordProbeSession, sleepUnlessAborted, type Negotiate, type ProbeOptions } from "./probe-session.js";
export { findDeadMedia, defaultMediaTimeoutMs } from "./media-liveness.js";
export { measureRecording, type ProbeMeasurements, type ContentFrameCheck, type ContentMode, type MarkerSource, type MeasureOptions, type MediaReport } from "./measure-recording.js";
export type { ProbeRecording, RecordedCodec, RecordedPacket, RecordedSenderReport, StreamRecording } from "./recording.js";
export { assembleVideoFrames, type AssembledFrame } from "./video-frames.js";
export type { VideoDecoding } from "./video-decoding.js";
export type { StreamCodec } from "./stream-codec.js";
export { watchLoopStalls, stallDelayBoundMs, type LoopStalls } from "./loop-stalls.js";
