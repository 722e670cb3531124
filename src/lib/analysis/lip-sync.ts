// Markerless lip-sync (issue 14): how far the mouth of a talking head runs behind (or ahead of) its
// voice, read from nothing but the decoded pictures and audio. The voice is its loudness envelope;
// the mouth is whichever region of the picture moves with it. Sign convention of DESIGN §3:
// offset = t(video) − t(audio), positive = audio leads (the mouth shows a sound after it is heard).

/** A series sampled every `stepMs` from `startMs`. */
export interface UniformSeries {
  startMs: number;
  stepMs: number;
  values: Float32Array;
}

/** One decoded picture: its time and one feature per region (mean luma of each grid cell). */
export interface RegionPicture {
  ms: number;
  regions: Float32Array;
}

/** One utterance the driver asked for: the span in which its answer is looked for. */
export interface UtteranceWindow {
  fromMs: number;
  toMs: number;
}

export interface LipSyncOptions {
  /** Largest |offset| searched. Default 700 ms. */
  maxLagMs?: number;
  /** Below this correlation the face is judged not to move with the voice. Default 0.5. */
  minConfidence?: number;
}

/** What one utterance's answer showed. Times are on the series' clock. */
export interface UtteranceSync {
  /** First moment the voice rose above a tenth of its peak over the floor; null when no speech was heard. */
  voiceOnsetMs: number | null;
  voiceEndMs: number | null;
  /** First picture whose mouth region left its resting value by a fifth of its swing; null without a moving mouth. */
  mouthOnsetMs: number | null;
  /** Mouth − voice, positive = audio leads; null when not available. */
  lipOffsetMs: number | null;
  /** |correlation| of voice envelope and mouth region at the lag found, 0..1 (0 when nothing moved). */
  confidence: number;
  /** Why there is no offset: no speech heard, no region moved, or nothing moved with the voice. Null when there is one. */
  notAvailable: string | null;
  /** The grid cell read as the mouth, null when none moved. */
  region: number | null;
  /** Voice envelope and mouth region over the utterance on one axis (for the report), every `stepMs`. */
  trace: { startMs: number; stepMs: number; voice: number[]; mouth: number[] };
}

const defaultMaxLagMs = 700;
const defaultMinConfidence = 0.5;
// A region whose feature never moves more than this (luma levels) is still: codec noise stays below it.
const stillRangeLevels = 1.5;
// A region moves when at least this share of its picture-to-picture steps (and at least
// minMovingSteps) exceed stillRangeLevels. A still face re-encoded at each keyframe steps by a
// level or two a few times; timed with a reply's start and end, such steps once correlated 0.5+
// with the voice.
const minMovingShare = 0.1;
const minMovingSteps = 5;
// And a mouth swings: the spread between its 5th and 95th percentile reaches this many levels. A
// still face's cell that the codec nudges by 1–2 levels a handful of times (a reply starting on a
// new keyframe, under load) stays inside it; that once correlated 0.73 with a short utterance.
const minSwingLevels = 3;
// Speech must stand this far above the recording's quiet floor (RMS, full scale = 1) to count as heard.
const minSpeechRms = 0.01;
// Context kept either side of the voice when correlating: the mouth may open before it sounds.
const contextMs = 300;
// The report's trace is thinned to this step.
const traceStepMs = 20;

/**
 * The loudness envelope of mono PCM: RMS over `windowMs`, one value every `stepMs`, centred on its
 * time. A mouth follows loudness, not waveform, so this is what a face is compared with.
 */
export function speechEnvelope(pcm: Float32Array, sampleRateHz: number, opts: { startMs?: number; stepMs?: number; windowMs?: number } = {}): UniformSeries {
  const stepMs = opts.stepMs ?? 5;
  const windowSamples = Math.max(1, Math.round(((opts.windowMs ?? 20) * sampleRateHz) / 1000));
  const stepSamples = (stepMs * sampleRateHz) / 1000;
  const count = Math.floor(pcm.length / stepSamples);
  const values = new Float32Array(count);
  // Prefix sums of squares make every window O(1).
  const squares = new Float64Array(pcm.length + 1);
  for (let i = 0; i < pcm.length; i++) squares[i + 1] = squares[i]! + pcm[i]! * pcm[i]!;
  for (let k = 0; k < count; k++) {
    const centre = Math.round(k * stepSamples);
    const from = Math.max(0, centre - Math.floor(windowSamples / 2));
    const to = Math.min(pcm.length, from + windowSamples);
    values[k] = to > from ? Math.sqrt((squares[to]! - squares[from]!) / (to - from)) : 0;
  }
  return { startMs: opts.startMs ?? 0, stepMs, values };
}

/**
 * Finds, per utterance window, when the voice started and ended, when the mouth started moving, and
 * the lag at which the mouth region best follows the voice envelope (refined between grid steps
 * by a parabola through the peak), with that correlation as the confidence.
 */
export function measureLipSync(voice: UniformSeries, pictures: readonly RegionPicture[], windows: readonly UtteranceWindow[], options: LipSyncOptions = {}): UtteranceSync[] {
  const maxLagMs = options.maxLagMs ?? defaultMaxLagMs;
  const minConfidence = options.minConfidence ?? defaultMinConfidence;
  const floor = quietFloor(voice.values);
  return windows.map((window) => measureUtterance(voice, pictures, window, floor, maxLagMs, minConfidence));
}

function measureUtterance(voice: UniformSeries, pictures: readonly RegionPicture[], window: UtteranceWindow, floor: number, maxLagMs: number, minConfidence: number): UtteranceSync {
  const { stepMs } = voice;
  const first = Math.max(0, Math.ceil((window.fromMs - voice.startMs) / stepMs));
  const last = Math.min(voice.values.length - 1, Math.floor((window.toMs - voice.startMs) / stepMs));
  const timeOf = (k: number): number => voice.startMs + k * stepMs;
  let peak = 0;
  for (let k = first; k <= last; k++) peak = Math.max(peak, voice.values[k]!);
  const none = (notAvailable: string, extra: Partial<UtteranceSync> = {}): UtteranceSync => ({
    voiceOnsetMs: null,
    voiceEndMs: null,
    mouthOnsetMs: null,
    lipOffsetMs: null,
    confidence: 0,
    notAvailable,
    region: null,
    trace: { startMs: window.fromMs, stepMs: traceStepMs, voice: [], mouth: [] },
    ...extra,
  });
  if (last <= first || peak - floor < minSpeechRms) return none("no speech heard");
  const threshold = floor + 0.1 * (peak - floor);
  let onset = first;
  while (onset < last && voice.values[onset]! < threshold) onset++;
  let end = last;
  while (end > onset && voice.values[end]! < threshold) end--;
  const voiceOnsetMs = timeOf(onset);
  const voiceEndMs = timeOf(end);

  // The correlation runs over the voice plus context, the mouth is read up to maxLag either side of it.
  const lagSteps = Math.round(maxLagMs / stepMs);
  const spanFirst = Math.max(first, onset - Math.round(contextMs / stepMs));
  const spanLast = Math.min(last, end + Math.round(contextMs / stepMs));
  const inWindow = pictures.filter((p) => p.ms >= timeOf(spanFirst) - maxLagMs - 100 && p.ms <= timeOf(spanLast) + maxLagMs + 100);
  const regionCount = inWindow[0]?.regions.length ?? 0;
  const envelope = voice.values.subarray(spanFirst, spanLast + 1);
  let best = { region: -1, lag: 0, r: 0, curve: [] as number[] };
  const moving: number[] = [];
  for (let region = 0; region < regionCount; region++) {
    const values = inWindow.map((p) => p.regions[region]!);
    if (!moves(values)) continue;
    moving.push(region);
    const mouth = resample(inWindow, region, timeOf(spanFirst - lagSteps), stepMs, envelope.length + 2 * lagSteps);
    const curve: number[] = [];
    for (let lag = -lagSteps; lag <= lagSteps; lag++) curve.push(pearson(envelope, mouth, lag + lagSteps));
    curve.forEach((r, i) => {
      if (Math.abs(r) > Math.abs(best.r)) best = { region, lag: i - lagSteps, r, curve };
    });
  }
  const trace = (region: number | null): UtteranceSync["trace"] => {
    const every = Math.max(1, Math.round(traceStepMs / stepMs));
    const voiceTrace: number[] = [];
    const mouthTrace: number[] = [];
    const mouth = region === null ? null : resample(inWindow, region, timeOf(spanFirst), stepMs, envelope.length);
    for (let i = 0; i < envelope.length; i += every) {
      voiceTrace.push(round(envelope[i]!, 4));
      mouthTrace.push(mouth === null || Number.isNaN(mouth[i]!) ? 0 : round(mouth[i]!, 2));
    }
    return { startMs: timeOf(spanFirst), stepMs: every * stepMs, voice: voiceTrace, mouth: mouthTrace };
  };
  const heard = { voiceOnsetMs, voiceEndMs };
  if (moving.length === 0) return none("the face does not move", { ...heard, trace: trace(null) });
  const confidence = round(Math.abs(best.r), 3);
  const region = best.region;
  const mouthOnsetMs = findMouthOnset(pictures, region, window, voiceOnsetMs);
  if (confidence < minConfidence) {
    return none(`nothing in the picture moves with the voice (best correlation ${confidence})`, { ...heard, mouthOnsetMs, confidence, region, trace: trace(region) });
  }
  if (Math.abs(best.lag) === lagSteps) {
    return none(`the best lag lies at the edge of the ±${maxLagMs} ms searched`, { ...heard, mouthOnsetMs, confidence, region, trace: trace(region) });
  }
  const at = best.lag + lagSteps;
  const [before, peakR, after] = [best.curve[at - 1]!, best.curve[at]!, best.curve[at + 1]!].map(Math.abs) as [number, number, number];
  const bend = before - 2 * peakR + after;
  const shift = bend < 0 ? (0.5 * (before - after)) / bend : 0;
  return {
    ...heard,
    mouthOnsetMs,
    lipOffsetMs: round((best.lag + shift) * stepMs, 1),
    confidence,
    notAvailable: null,
    region,
    trace: trace(region),
  };
}

function moves(values: readonly number[]): boolean {
  let steps = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i]! - values[i - 1]!) > stillRangeLevels) steps++;
  if (steps < Math.max(minMovingSteps, minMovingShare * (values.length - 1))) return false;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.round(q * (sorted.length - 1))]!;
  return at(0.95) - at(0.05) >= minSwingLevels;
}

// The mouth's rest is its median before the voice; it has started once it leaves that by a fifth of its swing.
function findMouthOnset(pictures: readonly RegionPicture[], region: number, window: UtteranceWindow, voiceOnsetMs: number): number | null {
  const inWindow = pictures.filter((p) => p.ms >= window.fromMs && p.ms < window.toMs);
  const resting = inWindow.filter((p) => p.ms < voiceOnsetMs - contextMs).map((p) => p.regions[region]!);
  if (resting.length === 0 || inWindow.length === 0) return null;
  const rest = median(resting);
  const swing = Math.max(...inWindow.map((p) => Math.abs(p.regions[region]! - rest)));
  if (swing < stillRangeLevels) return null;
  return inWindow.find((p) => Math.abs(p.regions[region]! - rest) > 0.2 * swing)?.ms ?? null;
}

// The region's value at every grid step, linear between pictures; NaN outside the pictures.
function resample(pictures: readonly RegionPicture[], region: number, startMs: number, stepMs: number, count: number): Float64Array {
  const out = new Float64Array(count).fill(Number.NaN);
  let j = 0;
  for (let i = 0; i < count; i++) {
    const t = startMs + i * stepMs;
    while (j + 1 < pictures.length && pictures[j + 1]!.ms <= t) j++;
    const a = pictures[j];
    const b = pictures[j + 1];
    if (!a || t < a.ms) continue;
    if (!b) {
      if (t - a.ms <= 100) out[i] = a.regions[region]!;
      continue;
    }
    const span = b.ms - a.ms;
    out[i] = span > 0 ? a.regions[region]! + ((b.regions[region]! - a.regions[region]!) * (t - a.ms)) / span : a.regions[region]!;
  }
  return out;
}

// Pearson correlation of x with y[offset …], skipping steps where y is unknown; 0 when either is flat.
function pearson(x: Float32Array, y: Float64Array, offset: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const b = y[offset + i]!;
    if (Number.isNaN(b)) continue;
    const a = x[i]!;
    n++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  if (n < 10) return 0;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  return vx > 0 && vy > 0 ? (sxy - (sx * sy) / n) / Math.sqrt(vx * vy) : 0;
}

// The recording's quiet level: its 10th percentile (pauses between utterances are most of it).
function quietFloor(values: Float32Array): number {
  if (values.length === 0) return 0;
  const sorted = Float32Array.from(values).sort();
  return sorted[Math.floor(sorted.length * 0.1)]!;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
