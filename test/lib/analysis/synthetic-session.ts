// A synchronized A/V session built from first principles, with one of the three injections of
// DESIGN.md §2, as the probe would hand it to the sync measurements: SRs fed to SenderClocks,
// frames and markers unwrapped with those clocks, everything processed in arrival order.
import { ntpFromUnixMs, SenderClock, unixMsFromNtp, type MarkerEvent, type TimedFrame } from "../../../src/lib/analysis/index.js";
import { createRandom, TWO_POW_32 } from "./synthetic-streams.js";

export interface Injection {
  /** The beep sits N ms before the flash on the content timeline (positive = audio leads). */
  contentOffsetMs?: number;
  /** Audio is sent N ms early (N = −80: 80 ms late); its timestamps stay honest. */
  scheduleOffsetMs?: number;
  /** Audio RTP timestamps carry capture time − N; SRs stay honest. */
  timestampOffsetMs?: number;
}

export interface SyntheticSession {
  videoClock: SenderClock;
  audioClock: SenderClock;
  videoFrames: TimedFrame[];
  audioFrames: TimedFrame[];
  flashes: MarkerEvent[];
  beeps: MarkerEvent[];
}

export const MARKER_PERIOD_MS = 1000;
export const LOOP_MARKERS = 4;
export const MARKERS = 10;
const DURATION_MS = 12_000;
const NETWORK_DELAY_MS = 40;
const SR_PERIOD_MS = 500;

type Event = { arrivalMs: number; apply: () => void };

// Markers k = 1 … 10: flash at k s on the sender's schedule, beep onset at k s − contentOffset.
// Offsets must be multiples of 20 ms so the beep onset starts an audio frame.
export function simulateSession(injection: Injection, seed = 1): SyntheticSession {
  const { contentOffsetMs = 0, scheduleOffsetMs = 0, timestampOffsetMs = 0 } = injection;
  const random = createRandom(seed);
  const startMs = 1_754_321_987_000 + random() * 1000;
  // Video wraps 3 s in; audio starts anywhere.
  const videoBaseTs = TWO_POW_32 - 3 * 90_000;
  const audioBaseTs = Math.floor(random() * TWO_POW_32);
  const jitterMs = () => (random() - 0.5) * 2;
  const videoClock = new SenderClock(90_000);
  const audioClock = new SenderClock(48_000);
  const session: SyntheticSession = { videoClock, audioClock, videoFrames: [], audioFrames: [], flashes: [], beeps: [] };
  const events: Event[] = [];

  for (let i = 0; i * (1000 / 30) < DURATION_MS; i++) {
    const rtpTs = (videoBaseTs + i * 3000) % TWO_POW_32;
    const arrivalMs = startMs + (i * 1000) / 30 + NETWORK_DELAY_MS + jitterMs();
    const marker = i % 30 === 0 && i / 30 >= 1 && i / 30 <= MARKERS ? i / 30 : null;
    events.push({
      arrivalMs,
      apply: () => {
        const extended = videoClock.unwrap(rtpTs);
        session.videoFrames.push({ rtpTs: extended, arrivalMs });
        if (marker !== null) session.flashes.push({ markerCode: marker % LOOP_MARKERS, rtpTs: extended, arrivalMs });
      },
    });
  }
  for (let j = 0; j * 20 < DURATION_MS; j++) {
    const contentMs = j * 20;
    const rtpTs = (((audioBaseTs + j * 960 - 48 * timestampOffsetMs) % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
    const arrivalMs = startMs + contentMs - scheduleOffsetMs + NETWORK_DELAY_MS + jitterMs();
    const markerMs = contentMs + contentOffsetMs;
    const marker = markerMs % MARKER_PERIOD_MS === 0 && markerMs / MARKER_PERIOD_MS >= 1 && markerMs / MARKER_PERIOD_MS <= MARKERS ? markerMs / MARKER_PERIOD_MS : null;
    events.push({
      arrivalMs,
      apply: () => {
        const extended = audioClock.unwrap(rtpTs);
        session.audioFrames.push({ rtpTs: extended, arrivalMs });
        if (marker !== null) session.beeps.push({ markerCode: marker % LOOP_MARKERS, rtpTs: extended, arrivalMs });
      },
    });
  }
  // Honest SRs: each pairs the sender's wall clock with the RTP time an honest clock reads then.
  for (let t = 250; t < DURATION_MS; t += SR_PERIOD_MS) {
    const ntp = ntpFromUnixMs(startMs + t);
    const ntpMs = unixMsFromNtp(ntp.msw, ntp.lsw);
    const arrivalMs = startMs + t + NETWORK_DELAY_MS;
    events.push({ arrivalMs, apply: () => videoClock.addSenderReport({ ntpMs, rtpTs: Math.round(videoBaseTs + t * 90) % TWO_POW_32, arrivalMs }) });
    events.push({ arrivalMs, apply: () => audioClock.addSenderReport({ ntpMs, rtpTs: Math.round(audioBaseTs + t * 48) % TWO_POW_32, arrivalMs }) });
  }
  for (const event of events.sort((a, b) => a.arrivalMs - b.arrivalMs)) event.apply();
  return session;
}
