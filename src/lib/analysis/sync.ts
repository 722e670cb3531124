import type { SenderClock } from "./sender-clock.js";
import { summarize, type Summary } from "./stats.js";

// Sign convention (DESIGN.md §3), everywhere below: offsetMs = t(video) − t(audio) for the same
// event; positive = audio leads (sound before picture), as in ITU-R BT.1359.

// A flash or a beep found in decoded media.
export interface MarkerEvent {
  /** Which marker of the loop this is: 0 … loopMarkers − 1, read from the decoded media. */
  markerCode: number;
  /** Extended RTP timestamp of the flash frame / beep onset, in its stream's SenderClock space. */
  rtpTs: number;
  arrivalMs: number;
}

// A flash and the beep of the same marker.
export interface MarkerPair {
  /** Position in the marker sequence counted from the first flash received (0). */
  markerIndex: number;
  markerCode: number;
  flash: MarkerEvent;
  beep: MarkerEvent;
}

// Pairs plus what was left over, so lost markers are visible rather than silently dropped.
export interface MarkerPairing {
  pairs: MarkerPair[];
  unpairedFlashes: MarkerEvent[];
  unpairedBeeps: MarkerEvent[];
}

// The test pattern's timing, which bounds how far apart a flash and its beep can be.
export interface PairMarkersOptions {
  markerPeriodMs: number;
  /** How many markers pass before a code repeats. */
  loopMarkers: number;
}

// Content offsets need each flash with its own beep. Only a beep with the same code within half
// a loop can match, so a lost flash leaves its beep unpaired instead of borrowing a neighbour's;
// among candidates the closest in arrival time wins, closest pairs first.
export function pairMarkers(
  flashes: readonly MarkerEvent[],
  beeps: readonly MarkerEvent[],
  opts: PairMarkersOptions,
): MarkerPairing {
  const { markerPeriodMs, loopMarkers } = opts;
  if (!(markerPeriodMs > 0)) throw new RangeError(`Expected \`markerPeriodMs\` to be a positive number, got \`${markerPeriodMs}\`.`);
  if (!Number.isInteger(loopMarkers) || loopMarkers < 1) {
    throw new RangeError(`Expected \`loopMarkers\` to be a positive integer, got \`${loopMarkers}\`.`);
  }
  const windowMs = (loopMarkers * markerPeriodMs) / 2;
  const beepsByCode = new Map<number, number[]>();
  beeps.forEach((beep, b) => beepsByCode.set(beep.markerCode, [...(beepsByCode.get(beep.markerCode) ?? []), b]));
  const candidates: { f: number; b: number; distanceMs: number }[] = [];
  flashes.forEach((flash, f) => {
    for (const b of beepsByCode.get(flash.markerCode) ?? []) {
      const distanceMs = Math.abs(flash.arrivalMs - beeps[b].arrivalMs);
      if (distanceMs < windowMs) candidates.push({ f, b, distanceMs });
    }
  });
  candidates.sort((x, y) => x.distanceMs - y.distanceMs);
  const beepOfFlash = new Map<number, number>();
  const pairedBeeps = new Set<number>();
  for (const { f, b } of candidates) {
    if (beepOfFlash.has(f) || pairedBeeps.has(b)) continue;
    beepOfFlash.set(f, b);
    pairedBeeps.add(b);
  }

  const indexOf = markerIndexer(flashes, opts);
  const pairs = [...beepOfFlash.entries()]
    .map(([f, b]) => ({ markerIndex: indexOf(flashes[f]), markerCode: flashes[f].markerCode, flash: flashes[f], beep: beeps[b] }))
    .sort((x, y) => x.flash.arrivalMs - y.flash.arrivalMs);
  return {
    pairs,
    unpairedFlashes: flashes.filter((_, f) => !beepOfFlash.has(f)),
    unpairedBeeps: beeps.filter((_, b) => !pairedBeeps.has(b)),
  };
}

// The code fixes the index modulo the loop and arrival time picks the loop, so an index stays
// right across lost markers (arrival jitter would have to reach half a loop to fool it).
function markerIndexer(flashes: readonly MarkerEvent[], opts: PairMarkersOptions): (flash: MarkerEvent) => number {
  const first = flashes.reduce<MarkerEvent | undefined>((a, f) => (a && a.arrivalMs <= f.arrivalMs ? a : f), undefined);
  const loop = opts.loopMarkers;
  return (flash) => {
    if (!first) return 0;
    const estimate = (flash.arrivalMs - first.arrivalMs) / opts.markerPeriodMs;
    const withinLoop = (((flash.markerCode - first.markerCode) % loop) + loop) % loop;
    return withinLoop + loop * Math.round((estimate - withinLoop) / loop);
  };
}

// One marker's offset by both content methods.
export interface MarkerOffset {
  markerIndex: number;
  markerCode: number;
  flashArrivalMs: number;
  /** Flash minus beep on the sender's clock (SR mapping); null while either stream lacks an SR. */
  senderOffsetMs: number | null;
  /** Flash arrival minus beep arrival. */
  arrivalOffsetMs: number;
}

// The content offset series and summaries for result.json.
export interface ContentOffsets {
  markers: MarkerOffset[];
  senderOffsetMs: Summary;
  arrivalOffsetMs: Summary;
}

// Content lip-sync offset (DESIGN.md §3), the ground truth: per marker, flash vs. beep both on
// the sender's clock and at arrival.
export function contentOffsets(pairs: readonly MarkerPair[], videoClock: SenderClock, audioClock: SenderClock): ContentOffsets {
  const markers = pairs.map((pair) => {
    const flashSenderMs = videoClock.toSenderMs(pair.flash.rtpTs);
    const beepSenderMs = audioClock.toSenderMs(pair.beep.rtpTs);
    return {
      markerIndex: pair.markerIndex,
      markerCode: pair.markerCode,
      flashArrivalMs: pair.flash.arrivalMs,
      senderOffsetMs: flashSenderMs === null || beepSenderMs === null ? null : flashSenderMs - beepSenderMs,
      arrivalOffsetMs: pair.flash.arrivalMs - pair.beep.arrivalMs,
    };
  });
  return {
    markers,
    senderOffsetMs: summarize(markers.flatMap((m) => (m.senderOffsetMs === null ? [] : [m.senderOffsetMs]))),
    arrivalOffsetMs: summarize(markers.map((m) => m.arrivalOffsetMs)),
  };
}

// A frame as the transport method needs it: when it was captured (via RTP) and when it arrived.
export interface TimedFrame {
  /** Extended RTP timestamp in its stream's SenderClock space. */
  rtpTs: number;
  arrivalMs: number;
}

// The transport relative delay series and summary for result.json.
export interface TransportDelay {
  /** [video arrivalMs, relativeDelayMs] per video frame that could be placed. */
  series: [number, number][];
  relativeDelayMs: Summary;
}

// Transport sync offset (DESIGN.md §3), the libwebrtc method that works with any content:
// relative delay = (video arrival − video capture) − (audio arrival − audio capture), capture
// from the SR mapping, each video frame paired with the audio frame that arrived last at or
// before it. Frames before both streams have an SR are skipped.
export function transportRelativeDelay(
  videoFrames: readonly TimedFrame[],
  audioFrames: readonly TimedFrame[],
  videoClock: SenderClock,
  audioClock: SenderClock,
): TransportDelay {
  const audio = [...audioFrames].sort((a, b) => a.arrivalMs - b.arrivalMs);
  const series: [number, number][] = [];
  for (const v of [...videoFrames].sort((a, b) => a.arrivalMs - b.arrivalMs)) {
    const a = audio[lastIndexAtOrBefore(audio, v.arrivalMs)];
    if (!a) continue;
    const videoCaptureMs = videoClock.toSenderMs(v.rtpTs);
    const audioCaptureMs = audioClock.toSenderMs(a.rtpTs);
    if (videoCaptureMs === null || audioCaptureMs === null) continue;
    series.push([v.arrivalMs, v.arrivalMs - videoCaptureMs - (a.arrivalMs - audioCaptureMs)]);
  }
  return { series, relativeDelayMs: summarize(series.map(([, delayMs]) => delayMs)) };
}

function lastIndexAtOrBefore(sortedByArrival: readonly TimedFrame[], arrivalMs: number): number {
  let lo = 0;
  let hi = sortedByArrival.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedByArrival[mid].arrivalMs <= arrivalMs) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
