export { recordProbeSession, type Negotiate, type ProbeOptions } from "./probe-session.js";
export { measureRecording, type ProbeMeasurements, type ContentFrameCheck } from "./measure-recording.js";
export type { ProbeRecording, RecordedPacket, RecordedSenderReport, StreamRecording } from "./recording.js";
