import { commonStepS } from "./media-file.js";
import { encodeOpusLoop } from "./opus-encode.js";
import { patternAudioFrameSamples, patternSampleRate } from "./pattern-options.js";
import type { I420Picture } from "./pattern-frame.js";
import type { SpeechClip } from "./speech.js";
import { encodeVp8Frames, type EncodedVideoFrame } from "./vp8-encode.js";

/** How the reference talking head looks and how wrong it is on purpose. */
export interface TalkingHeadLook {
  width: number;
  height: number;
  fps: number;
  /** The mouth shows each sound this long after it is heard (positive = audio leads, DESIGN §3). */
  lipOffsetMs: number;
  /** The mouth never moves (a broken renderer): lip sync must read "not available". */
  still?: boolean;
}

/** A stretch of talking-head media ready to packetize: video frame i, 20 ms Opus packet j. */
export interface TalkingHeadClip {
  video: EncodedVideoFrame[];
  audio: Buffer[];
  durationMs: number;
}

/** One answer: the utterance said back with a face that moves with it, and where in the clip the voice starts. */
export interface TalkingHeadReply extends TalkingHeadClip {
  text: string;
  /** Clip time of the first sample above a tenth of the speech's peak loudness. */
  voiceOnsetMs: number;
  /** Clip time of the first picture whose mouth is open a fifth of its widest; null for a still face. */
  mouthOnsetMs: number | null;
}

// Luma and chroma of the face: a dark room, skin, eyes and the inside of a mouth.
const background = { y: 50, u: 140, v: 120 };
const skin = { y: 175, u: 110, v: 150 };
const dark = { y: 35, u: 128, v: 140 };
// 0.1 bits per pixel per frame: flat shapes need little.
const bitsPerPixelPerFrame = 0.1;
const silenceMs = 400;

/** The face with its mouth shut, one second of it, looped while the head waits. */
export async function encodeIdleFace(look: TalkingHeadLook): Promise<TalkingHeadClip> {
  const frames = look.fps;
  const video = await encodeVp8Frames(frames, () => renderFace(look, 0), encodeOptions(look));
  const audio = encodeOpusLoop(new Float32Array((patternSampleRate * frames) / look.fps));
  return { video, audio, durationMs: 1000 };
}

/**
 * The reply to one utterance: its speech, with a mouth whose opening is the speech's loudness
 * `lipOffsetMs` earlier. Silence pads the clip so the mouth can open before the voice (a negative
 * offset) or after it ends, and rounds it to whole audio and video frames.
 */
export async function encodeReply(clip: SpeechClip, look: TalkingHeadLook): Promise<TalkingHeadReply> {
  const leadMs = 100 + Math.max(0, -look.lipOffsetMs);
  const tailMs = silenceMs + Math.max(0, look.lipOffsetMs);
  const stepMs = commonStepS(look.fps, patternAudioFrameSamples, patternSampleRate) * 1000;
  const durationMs = Math.ceil((leadMs + clip.durationMs + tailMs) / stepMs) * stepMs;
  const pcm = new Float32Array(Math.round((durationMs * patternSampleRate) / 1000));
  const leadSamples = Math.round((leadMs * patternSampleRate) / 1000);
  pcm.set(clip.pcm, leadSamples);
  const loudness = loudnessMs(pcm);
  const full = quantile(loudness, 0.95) || 1;
  const frames = Math.round((durationMs * look.fps) / 1000);
  const opening = (frame: number): number => {
    const heardMs = Math.round((frame * 1000) / look.fps - look.lipOffsetMs);
    if (look.still) return 0;
    return heardMs >= 0 && heardMs < loudness.length ? Math.min(1, loudness[heardMs]! / full) : 0;
  };
  const video = await encodeVp8Frames(frames, (i) => renderFace(look, opening(i)), encodeOptions(look));
  const threshold = 0.1 * Math.max(...loudness);
  const onset = loudness.findIndex((value) => value >= threshold);
  const openings = Array.from({ length: frames }, (_, i) => opening(i));
  const widest = Math.max(...openings);
  const mouthFrame = widest > 0 ? openings.findIndex((o) => o >= 0.2 * widest) : -1;
  const mouthOnsetMs = mouthFrame < 0 ? null : (mouthFrame * 1000) / look.fps;
  return { text: clip.text, video, audio: encodeOpusLoop(pcm), durationMs, voiceOnsetMs: Math.max(0, onset), mouthOnsetMs };
}

function encodeOptions(look: TalkingHeadLook) {
  return {
    width: look.width,
    height: look.height,
    fps: look.fps,
    keyframeInterval: look.fps,
    bitrateBps: Math.round(bitsPerPixelPerFrame * look.width * look.height * look.fps),
    // A reply is encoded while the head streams on the same thread: a few pictures at a time keep its pusher on time.
    picturesPerChunk: 2,
  };
}

// RMS over 30 ms, one value per millisecond: how wide a mouth opens follows how loud the voice is.
function loudnessMs(pcm: Float32Array): Float32Array {
  const perMs = patternSampleRate / 1000;
  const half = 15 * perMs;
  const squares = new Float64Array(pcm.length + 1);
  for (let i = 0; i < pcm.length; i++) squares[i + 1] = squares[i]! + pcm[i]! * pcm[i]!;
  const out = new Float32Array(Math.floor(pcm.length / perMs));
  for (let ms = 0; ms < out.length; ms++) {
    const from = Math.max(0, ms * perMs - half);
    const to = Math.min(pcm.length, ms * perMs + half);
    out[ms] = Math.sqrt((squares[to]! - squares[from]!) / (to - from));
  }
  return out;
}

function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.floor((sorted.length - 1) * q)] ?? 0;
}

/** Paints the face with its mouth open by `opening` (0 shut … 1 wide). */
export function renderFace(look: Pick<TalkingHeadLook, "width" | "height">, opening: number): I420Picture {
  const { width, height } = look;
  const lumaSize = width * height;
  const chromaWidth = width / 2;
  const chromaSize = chromaWidth * (height / 2);
  const data = new Uint8Array(lumaSize + 2 * chromaSize);
  // Each shape is an ellipse; only its bounding box is visited.
  const paint = (colour: { y: number; u: number; v: number }, cx: number, cy: number, rx: number, ry: number): void => {
    const inside = (x: number, y: number): boolean => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
    const x0 = Math.max(0, Math.floor(cx - rx));
    const x1 = Math.min(width - 1, Math.ceil(cx + rx));
    const y0 = Math.max(0, Math.floor(cy - ry));
    const y1 = Math.min(height - 1, Math.ceil(cy + ry));
    for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (inside(x, y)) data[y * width + x] = colour.y;
    for (let y = y0 >> 1; y <= y1 >> 1 && y < height / 2; y++) {
      for (let x = x0 >> 1; x <= x1 >> 1 && x < chromaWidth; x++) {
        if (!inside(2 * x + 1, 2 * y + 1)) continue;
        data[lumaSize + y * chromaWidth + x] = colour.u;
        data[lumaSize + chromaSize + y * chromaWidth + x] = colour.v;
      }
    }
  };
  const s = Math.min(width, height);
  const cx = width / 2;
  data.fill(background.y, 0, lumaSize);
  data.fill(background.u, lumaSize, lumaSize + chromaSize);
  data.fill(background.v, lumaSize + chromaSize);
  paint(skin, cx, height * 0.5, s * 0.32, s * 0.42);
  paint(dark, cx - s * 0.12, height * 0.4, s * 0.045, s * 0.03);
  paint(dark, cx + s * 0.12, height * 0.4, s * 0.045, s * 0.03);
  // Shut, the mouth is a thin line; open, up to a fifth of the face tall.
  paint(dark, cx, height * 0.68, s * 0.11, s * 0.006 + s * 0.075 * opening);
  return {
    data,
    layout: [
      { offset: 0, stride: width },
      { offset: lumaSize, stride: chromaWidth },
      { offset: lumaSize + chromaSize, stride: chromaWidth },
    ],
  };
}
