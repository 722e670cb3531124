// Chromium's own account of its A/V sync, read from its log. libwebrtc's StreamSynchronization
// (video/stream_synchronization.cc) and RtpStreamsSynchronizer log, at VERBOSE1 and INFO, the delays
// it sees and every change it makes; getStats() has none of this. Lines as Chromium 156 writes them
// (fixtures/chromium/sync-log.txt holds real ones):
//   [5049:5090:1127/140952.072457:VERBOSE1:third_party/webrtc/video/stream_synchronization.cc:71] Audio delay: 64 current diff: 0 for stream 1099858708
//   [...:VERBOSE1:third_party/webrtc/video/stream_synchronization.cc:164] Sync video delay 16 for video stream 2095597810 and audio delay 0 for audio stream 1099858708
//   [...:INFO:third_party/webrtc/video/rtp_streams_synchronizer2.cc:135] Sync info stats: 10513798, {ssrc: 3159953446, cur_delay: 78 ms} {ssrc: 334516519, cur_delay: 32 ms} {relative_delay_ms: 0}

/** The switches that make Chromium write those lines (and little else) to stderr. */
export const chromiumSyncLogArgs = ["--enable-logging=stderr", "--v=0", "--vmodule=*stream_synchronization*=1,*rtp_streams_synchronizer*=1"];

/**
 * libwebrtc leaves an A/V difference alone while its filtered estimate stays under this
 * (kMinDeltaMs in stream_synchronization.cc): the residual a viewer keeps after Chromium settles.
 */
export const chromiumSyncDeadBandMs = 30;

/** One line of Chromium's sync log; atMs is the wall-clock time Chromium stamped on it (epoch ms). */
export type ChromiumSyncLine =
  /** Each second: the audio path's total delay and how much later video arrives than audio for the same capture time. */
  | { kind: "measure"; atMs: number; audioDelayMs: number; relativeDelayMs: number }
  /** A change: the total video delay and the extra audio delay Chromium now asks for. */
  | { kind: "change"; atMs: number; videoDelayMs: number; audioExtraMs: number }
  /** Every ~10 s: both paths' current delays and the arrival difference, i.e. Chromium's own view of the offset. */
  | { kind: "estimate"; atMs: number; audioDelayMs: number; videoDelayMs: number; relativeDelayMs: number };

const prefix = /^\[\d+:\d+:(\d{2})(\d{2})\/(\d{2})(\d{2})(\d{2})\.(\d{3,6}):[A-Z0-9]+:[^\]]*\] (.*)$/;
const measure = /^Audio delay: (-?\d+) current diff: (-?\d+) for stream \d+/;
const change = /^Sync video delay (-?\d+) for video stream \d+ and audio delay (-?\d+) for audio stream \d+/;
const estimate = /^Sync info stats: \d+, \{ssrc: \d+, cur_delay: (-?[\d.]+) (us|ms|s)\} \{ssrc: \d+, cur_delay: (-?[\d.]+) (us|ms|s)\} \{relative_delay_ms: (-?\d+)\}/;

const toMs = (value: string, unit: string): number => Number(value) * (unit === "us" ? 0.001 : unit === "s" ? 1000 : 1);

/**
 * Parses one stderr line of Chromium, or returns null for any other line. Chromium stamps local
 * time without a year: the year is the one that puts the line nearest to `nowMs`.
 */
export function parseChromiumSyncLine(line: string, nowMs = Date.now()): ChromiumSyncLine | null {
  const head = prefix.exec(line.trimEnd());
  if (!head) return null;
  const [, month, day, hour, minute, second, fraction, text] = head as unknown as string[];
  const stamp = (year: number): number =>
    new Date(year, Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)).getTime() + Number(`0.${fraction}`) * 1000;
  const year = new Date(nowMs).getFullYear();
  const atMs = [year - 1, year, year + 1].map(stamp).reduce((best, t) => (Math.abs(t - nowMs) < Math.abs(best - nowMs) ? t : best));
  let m = measure.exec(text!);
  if (m) return { kind: "measure", atMs, audioDelayMs: Number(m[1]), relativeDelayMs: Number(m[2]) };
  m = change.exec(text!);
  if (m) return { kind: "change", atMs, videoDelayMs: Number(m[1]), audioExtraMs: Number(m[2]) };
  m = estimate.exec(text!);
  if (m) return { kind: "estimate", atMs, audioDelayMs: toMs(m[1]!, m[2]!), videoDelayMs: toMs(m[3]!, m[4]!), relativeDelayMs: Number(m[5]) };
  return null;
}
