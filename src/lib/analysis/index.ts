// The measurement room: plain data in, plain JSON-serialisable data out; no I/O, no werift.
export { ntpFromUnixMs, unixMsFromNtp, ntpToMiddle32, type NtpTimestamp } from "./ntp.js";
export { createRtpUnwrapper, createSequenceUnwrapper } from "./rtp-unwrap.js";
export { SenderClock, type SenderReportInput, type SenderReportPoint } from "./sender-clock.js";
export { summarize, histogram, countValues, type Summary, type Histogram, type HistogramBin, type ValueCount } from "./stats.js";
export { collectFrames, type Frame, type ReceivedPacket } from "./frames.js";
export {
  analyzeContinuity,
  findDominantStepTicks,
  firstStepShortfallTicks,
  type StepSource,
  type ContinuityOptions,
  type ContinuityReport,
  type StepEvent,
  type SequenceRange,
  type ArrivalGap,
  measureDriftPpm,
} from "./continuity.js";
export {
  pairMarkers,
  contentOffsets,
  transportRelativeDelay,
  type MarkerEvent,
  type MarkerPair,
  type MarkerPairing,
  type PairMarkersOptions,
  type MarkerOffset,
  type ContentOffsets,
  type TimedFrame,
  type TransportDelay,
} from "./sync.js";
export {
  classifyError,
  type ErrorKind,
  type ErrorClassification,
  type MethodSummaries,
  type ClassifyOptions,
} from "./error-kind.js";
export { judgeOffset, gatePresets, type GatePreset, type GateWindow, type OffsetJudgement } from "./verdict.js";
export {
  findSyncAnomalies,
  defaultAnomalyThresholds,
  type Anomaly,
  type AnomalyName,
  type AnomalyThresholds,
  type AnomalyStreamInput,
  type OffsetSeries,
} from "./sync-anomalies.js";
export { formatOffsetMs } from "./format-offset.js";
export { watchLoopStalls, stallDelayBoundMs, type LoopStalls } from "./loop-stalls.js";
export { measureLipSync, speechEnvelope, type LipSyncOptions, type RegionPicture, type UniformSeries, type UtteranceSync, type UtteranceWindow } from "./lip-sync.js";
export { SignedHistogram, type EncodedSignedHistogram } from "./signed-histogram.js";
export { fitLine, type LinearFit } from "./linear-fit.js";
