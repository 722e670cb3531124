// The media room: the lip-sync test pattern (DESIGN.md §4) and the probe-side readers that find it again.
export { defaultPatternOptions, resolvePatternOptions, patternAudioFrameSamples, patternSampleRate, type PatternOptions } from "./pattern-options.js";
export { encodeOpusLoop } from "./opus-encode.js";
export { videoCodecNames, videoCodecLabel, type VideoCodecName } from "./video-codecs.js";
export { encodeTestPattern, type EncodedPattern } from "./test-pattern.js";
export type { EncodedVideoFrame } from "./vp8-encode.js";
export { placeBeepOnsetSample, toBeepFrequencyHz } from "./beep-tone.js";
export { layOutCodeStrip, type CodeStripLayout } from "./frame-code.js";
export { VideoMarkerReader } from "./video-marker-reader.js";
export { PictureReader, gridCells, type LumaPlane, type VideoMarkerReading } from "./picture-reading.js";
export { decodeWithFfmpeg, ffmpegPath, FfmpegMissingError, type FfmpegDecodeRun, type FfmpegVideoCodec } from "./ffmpeg-video-decoder.js";
export { AudioOnsetDetector, clipToneRule, type AudioOnset, type ToneRule } from "./audio-onset-detector.js";
export { opusLookaheadSamples } from "./opus-format.js";
export { findFlashOnsets, defaultFlashRule, type FlashReading, type FlashRule } from "./flash-edges.js";
export { synthesizeSpeech, readSpeechWav, defaultUtterances, SpeechSynthesizerMissingError, type SpeechClip } from "./speech.js";
export { encodeIdleFace, encodeReply, renderFace, type TalkingHeadClip, type TalkingHeadLook, type TalkingHeadReply } from "./talking-head.js";
