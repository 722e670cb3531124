export { recordProbeSession, sleepUnlessAborted, type Negotiate, type ProbeOptions } from "./probe-session.js";
export { measureRecording, type ProbeMeasurements, type ContentFrameCheck, type ContentMode, type MarkerSource, type MeasureOptions } from "./measure-recording.js";
export type { ProbeRecording, RecordedPacket, RecordedSenderReport, StreamRecording } from "./recording.js";
export { watchLoopStalls, stallDelayBoundMs, type LoopStalls } from "./loop-stalls.js";
