import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";
import { randomInt } from "node:crypto";
import { Av1Packetizer, H264Packetizer, OpusPacketizer, Vp8Packetizer, Vp9Packetizer, type RtpPacket } from "werift";
import { watchLoopStalls, type LoopStalls } from "../analysis/index.js";
import { placeBeepOnsetSample, type EncodedPattern, type VideoCodecName } from "../media/index.js";
import { buildSenderReport } from "./sender-report.js";
import { contentLeadIn, type ContentLeadIn } from "./content-lead-in.js";
import { LatenessLog } from "./lateness-log.js";
import { mediaScheduler, scheduledSleepMs, type MediaScheduler } from "./media-scheduler.js";
import type { MediaOutput } from "./media-output.js";

/** `paced`: the corrected design; `seed`: the original design with its weak points (DESIGN §2). */
export type PusherMode = "paced" | "seed";

/**
 * Ground-truth errors a run injects; each N is the offset the affected methods must read. One type
 * from the flags (cli/pusher-config.ts) to the target, the pusher, result.json (`config.injections`)
 * and the viewer page. The content offset is baked into the media when the pattern is encoded; the
 * others are the pusher's. Frame lists are sorted indexes.
 */
export interface Injections {
  contentOffsetMs: number;
  scheduleOffsetMs: number;
  timestampOffsetMs: number;
  dropVideoFrames: readonly number[];
  dropAudioFrames: readonly number[];
}

export const noInjections: Injections = {
  contentOffsetMs: 0,
  scheduleOffsetMs: 0,
  timestampOffsetMs: 0,
  dropVideoFrames: [],
  dropAudioFrames: [],
};

// The names the injections have as flags, for a person reading what was injected.
const injectionFlagNames: Record<keyof Injections, string> = {
  contentOffsetMs: "content-offset-ms",
  scheduleOffsetMs: "schedule-offset-ms",
  timestampOffsetMs: "timestamp-offset-ms",
  dropVideoFrames: "drop-video-frames",
  dropAudioFrames: "drop-audio-frames",
};

/** What was injected, as flags would say it (`schedule-offset-ms -80, drop-video-frames 3 frames`); "" for nothing. */
export function describeInjections(injections: Injections): string {
  return (Object.keys(injectionFlagNames) as (keyof Injections)[])
    .flatMap((key) => {
      const value = injections[key];
      if (typeof value === "number") return value === 0 ? [] : [`${injectionFlagNames[key]} ${value}`];
      return value.length === 0 ? [] : [`${injectionFlagNames[key]} ${value.length} frame${value.length === 1 ? "" : "s"}`];
    })
    .join(", ");
}

/**
 * Media decided as the push goes (a talking head that answers): push frame i's packet or picture,
 * asked for when it is due. It carries no markers, so the ledger stays empty; the pattern then only
 * names the fps and codec.
 */
export interface PushContent {
  audio(index: number): Buffer;
  video(index: number): Buffer;
}

export interface PusherOptions {
  mode: PusherMode;
  pattern: EncodedPattern;
  content?: PushContent;
  injections: Injections;
  /** Stops by itself after this long; undefined pushes until stop(). */
  durationS?: number;
  senderReportIntervalMs?: number;
}

/** What one stream's pacing looked like: every sent frame's lateness against its schedule. */
export interface StreamPacing {
  framesScheduled: number;
  framesSent: number;
  framesDroppedByInjection: number;
  /** Per sent frame: [content frame index, send time − scheduled time in ms]. */
  latenessMs: Array<[number, number]>;
}

/**
 * One marker as the pusher really sent it: when the packet carrying its flash frame, and the one
 * carrying its beep's first sample (plus that sample's place in the packet), were handed to the
 * network. Their difference is the offset the markers left with; what a receiver reads at arrival
 * differs from it only by the network and the receiver's own timing.
 */
export interface SentMarker {
  /** Marker slot counted from the first flash of the run (0), as a receiver that saw every flash numbers it. */
  occurrence: number;
  markerCode: number;
  /** Unix ms on the pusher's monotonic clock; null when that half was not sent (outside the run, dropped). */
  flashSentUnixMs: number | null;
  beepSentUnixMs: number | null;
}

export interface PacingReport {
  mode: PusherMode;
  anchorUnixMs: number | null;
  audio: StreamPacing & { queueDepthMax: number; queueDrops: number };
  video: StreamPacing & { repeatedFrames: number; skippedFrames: number };
  eventLoopDelayMs: { p50: number; p99: number; max: number } | null;
  /**
   * Stalls of the pusher thread's event loop while this session ran, [start in Unix ms, duration ms]:
   * a packet stamped as sent just before one left the thread when it ended, up to its length late.
   * Absent in results from before it was kept.
   */
  loopStalls?: LoopStalls;
  /** The pusher's own ledger of every marker it sent, in occurrence order; absent in results from before it kept one. */
  markers?: SentMarker[];
}

const audioFrameMs = 20;
const audioTicksPerFrame = 960;
const audioClockHz = 48_000;
const videoClockHz = 90_000;
// The original design's deque(maxlen=100) of 20 ms chunks.
const seedAudioQueueMax = 100;
// Each session anchors at its own phase of the frame interval, as independent viewers' streams do:
// the k-th session of a thread on a 100 ms grid (the least common multiple of 20 ms and 1/30 s)
// plus the fractional part of k·φ of a frame interval, so any number of sessions spread evenly.
// On one shared grid every session's frame fell due at once and went out one after another
// (lateness p99 6.2–6.8 ms at 40 sessions on 2 threads; spread, 3.7–4.0 ms; docs/PERFORMANCE.md).
const anchorGridMs = 100;
const goldenRatioFraction = 0.6180339887498949;
let sessionsAnchored = 0;
const loopDelayResolutionMs = 5;

// One watch of this thread's loop however many sessions run in it (a 2 ms timer per session would add
// up); each session keeps the stalls of its own run.
const threadStalls: { users: number; watch: ReturnType<typeof watchLoopStalls> | null } = { users: 0, watch: null };
function watchThreadStalls(): ReturnType<typeof watchLoopStalls> {
  threadStalls.users++;
  threadStalls.watch ??= watchLoopStalls(2, scheduledSleepMs);
  return threadStalls.watch;
}
function unwatchThreadStalls(): void {
  if (--threadStalls.users > 0) return;
  threadStalls.watch?.stop();
  threadStalls.watch = null;
}

interface StreamState {
  output: MediaOutput;
  baseTs: number;
  packetCount: number;
  octetCount: number;
}

/**
 * Pushes the encoded test pattern to one receiver from one monotonic anchor: audio every 20 ms,
 * video at start + i/fps, RTP clocks derived from that anchor, and our own Sender Reports.
 */
export class PusherSession {
  private readonly audio: StreamState;
  private readonly video: StreamState;
  private readonly audioPacketizer = new OpusPacketizer();
  private readonly videoPacketizer: { packetize(data: Buffer, rtpTimestamp: number): RtpPacket[] };
  private anchorMs = 0;
  private running = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ownJobs = new Set<(nowMs: number) => void>();
  private loopDelay: IntervalHistogram | undefined;
  private stallWatch: { watch: ReturnType<typeof watchLoopStalls>; fromMs: number } | undefined;
  private readonly pacing: PacingReport;
  // Each stream's lateness, compact while running; report() writes it into pacing's latenessMs.
  private readonly lateness = { audio: new LatenessLog(), video: new LatenessLog() };
  private readonly leadIn: ContentLeadIn;
  // Content audio frame → the beep onsets it carries: marker code and ms into the frame.
  private readonly beepOnsets = new Map<number, Array<{ markerCode: number; intoMs: number }>>();
  private readonly sentMarkers = new Map<number, SentMarker>();
  private resolveDone!: () => void;
  /** Resolves when the pusher has sent its last frame or was stopped. */
  readonly done: Promise<void>;

  // The injected frame drops, looked up once per frame.
  private readonly droppedAudio: ReadonlySet<number>;
  private readonly droppedVideo: ReadonlySet<number>;

  constructor(
    private readonly options: PusherOptions,
    outputs: { audio: MediaOutput; video: MediaOutput },
    private readonly scheduler: MediaScheduler = mediaScheduler,
  ) {
    this.droppedAudio = new Set(options.injections.dropAudioFrames);
    this.droppedVideo = new Set(options.injections.dropVideoFrames);
    this.audio = { output: outputs.audio, baseTs: randomInt(2 ** 31), packetCount: 0, octetCount: 0 };
    this.video = { output: outputs.video, baseTs: randomInt(2 ** 31), packetCount: 0, octetCount: 0 };
    const emptyStream = (): StreamPacing => ({ framesScheduled: 0, framesSent: 0, framesDroppedByInjection: 0, latenessMs: [] });
    this.pacing = {
      mode: options.mode,
      anchorUnixMs: null,
      audio: { ...emptyStream(), queueDepthMax: 0, queueDrops: 0 },
      video: { ...emptyStream(), repeatedFrames: 0, skippedFrames: 0 },
      eventLoopDelayMs: null,
    };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.leadIn = contentLeadIn(options.pattern.options);
    // A user's clip (--media) and live content have no beeps of the pattern's: their ledger stays empty.
    for (let code = 0; this.carriesMarkers && code < options.pattern.options.loopMarkers; code++) {
      const onset = placeBeepOnsetSample(options.pattern.options, code);
      const frame = Math.floor(onset / audioTicksPerFrame);
      this.beepOnsets.set(frame, [...(this.beepOnsets.get(frame) ?? []), { markerCode: code, intoMs: ((onset % audioTicksPerFrame) * 1000) / audioClockHz }]);
    }
    this.videoPacketizer = createVideoPacketizer(options.pattern.options.videoCodec);
  }

  /** Starts the clock; call only once the peer connection is connected (earlier packets are dropped). */
  start(): void {
    if (this.running) return;
    this.running = true;
    const earliest = performance.now() + 30 + Math.max(0, this.options.injections.scheduleOffsetMs);
    const phase = (sessionsAnchored++ * goldenRatioFraction) % 1;
    this.anchorMs = Math.ceil(earliest / anchorGridMs) * anchorGridMs + (phase * 1000) / this.fps;
    this.pacing.anchorUnixMs = performance.timeOrigin + this.anchorMs;
    this.loopDelay = monitorEventLoopDelay({ resolution: loopDelayResolutionMs });
    this.loopDelay.enable();
    this.stallWatch = { watch: watchThreadStalls(), fromMs: performance.now() };
    if (this.options.mode === "paced") this.startPaced();
    else this.startSeed();
    this.scheduleSenderReports();
  }

  /** Stops every timer and job of this session; safe to call twice. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.scheduler.cancel((run) => this.ownJobs.has(run));
    this.ownJobs.clear();
    if (this.loopDelay) {
      this.loopDelay.disable();
      // The histogram holds whole timer intervals; what matters is the delay beyond the interval.
      const ms = (ns: number): number => Math.max(0, ns / 1e6 - loopDelayResolutionMs);
      this.pacing.eventLoopDelayMs = {
        p50: ms(this.loopDelay.percentile(50)),
        p99: ms(this.loopDelay.percentile(99)),
        max: ms(this.loopDelay.max),
      };
    }
    if (this.stallWatch) {
      const seen = this.stallWatch.watch.read();
      const stalls = seen.stalls.filter(([startMs, ms]) => startMs + ms >= this.stallWatch!.fromMs).map(([startMs, ms]): [number, number] => [performance.timeOrigin + startMs, ms]);
      this.pacing.loopStalls = { thresholdMs: seen.thresholdMs, maxMs: Math.max(0, ...stalls.map(([, ms]) => ms)), stalls, dropped: seen.dropped };
      this.stallWatch = undefined;
      unwatchThreadStalls();
    }
    this.resolveDone();
  }

  /** The pacing measured so far (complete once `done` resolved). */
  report(): PacingReport {
    const { audio, video } = this.pacing;
    return {
      ...this.pacing,
      audio: { ...audio, latenessMs: this.lateness.audio.toPairs() },
      video: { ...video, latenessMs: this.lateness.video.toPairs() },
      markers: [...this.sentMarkers.values()].sort((a, b) => a.occurrence - b.occurrence),
    };
  }

  private get carriesMarkers(): boolean {
    return this.options.content === undefined && this.options.pattern.options.mediaFile === null;
  }

  private get fps(): number {
    return this.options.pattern.options.fps;
  }

  private audioFrameCount(): number {
    return this.options.durationS === undefined ? Infinity : Math.round(this.options.durationS * 1000 / audioFrameMs);
  }

  private videoFrameCount(): number {
    return this.options.durationS === undefined ? Infinity : Math.round(this.options.durationS * this.fps);
  }

  // Frame i of the push is content frame i − lead-in, modulo the loop: the first flash comes after the lead-in.
  private audioContent(index: number): Buffer {
    if (this.options.content) return this.options.content.audio(index);
    const { audio } = this.options.pattern;
    return audio[(index + audio.length - this.leadIn.audioFrames) % audio.length]!;
  }

  private videoContent(index: number): Buffer {
    if (this.options.content) return this.options.content.video(index);
    const { video } = this.options.pattern;
    return video[(index + video.length - this.leadIn.videoFrames) % video.length]!.data;
  }

  private audioDueMs(index: number): number {
    return this.anchorMs + index * audioFrameMs - this.options.injections.scheduleOffsetMs;
  }

  private videoDueMs(index: number): number {
    return this.anchorMs + (index * 1000) / this.fps;
  }

  // A timestamp lie shifts the packets' RTP clock, never the Sender Reports, so a receiver maps
  // the audio to a capture time N ms off (DESIGN §2, --timestamp-offset-ms).
  private audioTsShiftTicks(): number {
    return -Math.round((this.options.injections.timestampOffsetMs * audioClockHz) / 1000);
  }

  private schedule(dueMs: number, run: (nowMs: number) => void): void {
    const job = (nowMs: number): void => {
      this.ownJobs.delete(job);
      if (this.running) run(nowMs);
    };
    this.ownJobs.add(job);
    this.scheduler.at(dueMs, job);
  }

  private later(delayMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.running) run();
    }, Math.max(0, delayMs));
    this.timers.add(timer);
  }

  private finishIfComplete(): void {
    const { audio, video } = this.pacing;
    if (audio.framesScheduled >= this.audioFrameCount() && video.framesScheduled >= this.videoFrameCount()) {
      // Give the last packets time to leave before timers are torn down.
      this.later(50, () => this.stop());
    }
  }

  private startPaced(): void {
    const audioTotal = this.audioFrameCount();
    const videoTotal = this.videoFrameCount();
    const pushAudio = (index: number): void => {
      if (index >= audioTotal) return;
      this.schedule(this.audioDueMs(index), () => {
        this.pacing.audio.framesScheduled++;
        if (this.droppedAudio.has(index)) {
          this.pacing.audio.framesDroppedByInjection++;
        } else {
          const ts = this.audio.baseTs + index * audioTicksPerFrame + this.audioTsShiftTicks();
          const sentMs = this.send(this.audio, this.audioPacketizer.packetize(this.audioContent(index), ts >>> 0));
          this.noteAudioSent(index, sentMs);
          this.pacing.audio.framesSent++;
          this.lateness.audio.push(index, sentMs - this.audioDueMs(index));
        }
        pushAudio(index + 1);
        this.finishIfComplete();
      });
    };
    const pushVideo = (index: number): void => {
      if (index >= videoTotal) return;
      this.schedule(this.videoDueMs(index), () => {
        this.pacing.video.framesScheduled++;
        if (this.droppedVideo.has(index)) {
          this.pacing.video.framesDroppedByInjection++;
        } else {
          const ts = this.video.baseTs + Math.round((index * videoClockHz) / this.fps);
          const sentMs = this.send(this.video, this.videoPacketizer.packetize(this.videoContent(index), ts >>> 0));
          this.noteVideoSent(index, sentMs);
          this.pacing.video.framesSent++;
          this.lateness.video.push(index, sentMs - this.videoDueMs(index));
        }
        pushVideo(index + 1);
        this.finishIfComplete();
      });
    };
    pushAudio(0);
    pushVideo(0);
  }

  // The original design (seeds §2): producers sleep until each chunk's time and hand it to a track;
  // the WebRTC sender pulls from the track on its own rhythm, audio from a bounded deque that drops
  // the oldest chunk, video as "the current frame" stamped with the time it was pulled.
  private startSeed(): void {
    const audioTotal = this.audioFrameCount();
    const videoTotal = this.videoFrameCount();
    const queue: number[] = [];
    let samplesSent = 0;
    let currentVideo = -1;
    let lastPulledVideo = -1;

    const produceAudio = (index: number): void => {
      if (index >= audioTotal) return;
      this.later(this.audioDueMs(index) - performance.now(), () => {
        this.pacing.audio.framesScheduled++;
        if (this.droppedAudio.has(index)) {
          this.pacing.audio.framesDroppedByInjection++;
        } else {
          queue.push(index);
          if (queue.length > seedAudioQueueMax) {
            queue.shift();
            this.pacing.audio.queueDrops++;
          }
          this.pacing.audio.queueDepthMax = Math.max(this.pacing.audio.queueDepthMax, queue.length);
        }
        produceAudio(index + 1);
        this.finishIfComplete();
      });
    };
    const pullAudio = (): void => {
      while (queue.length > 0) {
        const index = queue.shift()!;
        const ts = this.audio.baseTs + samplesSent + this.audioTsShiftTicks();
        samplesSent += audioTicksPerFrame;
        const sentMs = this.send(this.audio, this.audioPacketizer.packetize(this.audioContent(index), ts >>> 0));
        this.noteAudioSent(index, sentMs);
        this.pacing.audio.framesSent++;
        this.lateness.audio.push(index, sentMs - this.audioDueMs(index));
      }
      this.later(1, pullAudio);
    };
    const produceVideo = (index: number): void => {
      if (index >= videoTotal) return;
      this.later(this.videoDueMs(index) - performance.now(), () => {
        this.pacing.video.framesScheduled++;
        if (this.droppedVideo.has(index)) this.pacing.video.framesDroppedByInjection++;
        else currentVideo = index;
        produceVideo(index + 1);
        this.finishIfComplete();
      });
    };
    const pullVideo = (): void => {
      const nowMs = performance.now();
      if (currentVideo >= 0) {
        if (currentVideo === lastPulledVideo) this.pacing.video.repeatedFrames++;
        else if (lastPulledVideo >= 0) this.pacing.video.skippedFrames += Math.max(0, currentVideo - lastPulledVideo - 1);
        lastPulledVideo = currentVideo;
        const ts = this.video.baseTs + Math.round(((nowMs - this.anchorMs) * videoClockHz) / 1000);
        const sentMs = this.send(this.video, this.videoPacketizer.packetize(this.videoContent(currentVideo), ts >>> 0));
        this.noteVideoSent(currentVideo, sentMs);
        this.pacing.video.framesSent++;
        this.lateness.video.push(currentVideo, sentMs - this.videoDueMs(currentVideo));
      }
      this.later(1000 / this.fps, pullVideo);
    };
    produceAudio(0);
    produceVideo(0);
    this.later(this.anchorMs - performance.now(), pullAudio);
    this.later(this.anchorMs - performance.now(), pullVideo);
  }

  private sentMarker(occurrence: number, markerCode: number): SentMarker {
    let marker = this.sentMarkers.get(occurrence);
    if (!marker) {
      marker = { occurrence, markerCode, flashSentUnixMs: null, beepSentUnixMs: null };
      this.sentMarkers.set(occurrence, marker);
    }
    return marker;
  }

  // Push frame `index` left at `nowMs`: if its content frame is a flash, the ledger notes when (a repeat keeps the first).
  private noteVideoSent(index: number, nowMs: number): void {
    const { fps, markerPeriodS } = this.options.pattern.options;
    const framesPerMarker = Math.round(markerPeriodS * fps);
    const sinceFirstFlash = index - this.leadIn.videoFrames;
    if (!this.carriesMarkers || sinceFirstFlash < 0 || sinceFirstFlash % framesPerMarker !== 0) return;
    const occurrence = sinceFirstFlash / framesPerMarker;
    const marker = this.sentMarker(occurrence, occurrence % this.options.pattern.options.loopMarkers);
    marker.flashSentUnixMs ??= performance.timeOrigin + nowMs;
  }

  // Audio push frame `index` left at `nowMs`: each beep onset it carries is noted at its own sample's time.
  private noteAudioSent(index: number, nowMs: number): void {
    if (!this.carriesMarkers) return;
    const { audio, options } = this.options.pattern;
    const content = (index + audio.length - this.leadIn.audioFrames) % audio.length;
    for (const { markerCode, intoMs } of this.beepOnsets.get(content) ?? []) {
      // The slot whose flash this beep belongs to: its content time, put back by the content offset.
      const slotMs = index * audioFrameMs + intoMs - this.leadIn.ms + options.contentOffsetMs;
      const occurrence = Math.round(slotMs / (options.markerPeriodS * 1000));
      if (occurrence < 0) continue;
      this.sentMarker(occurrence, markerCode).beepSentUnixMs ??= performance.timeOrigin + nowMs + intoMs;
    }
  }

  // Hands a frame's packets to the network and returns when it did: the frame's send time in the ledger.
  private send(stream: StreamState, packets: RtpPacket[]): number {
    const sentMs = performance.now();
    for (const packet of packets) {
      stream.packetCount++;
      stream.octetCount += packet.payload.length;
      stream.output.sendRtp(packet).catch(() => undefined);
    }
    return sentMs;
  }

  private scheduleSenderReports(): void {
    const intervalMs = this.options.senderReportIntervalMs ?? 1000;
    const sendReports = (k: number): void => {
      this.schedule(this.anchorMs + k * intervalMs + 5, (nowMs) => {
        const elapsedMs = nowMs - this.anchorMs;
        for (const [stream, clockHz] of [[this.audio, audioClockHz], [this.video, videoClockHz]] as const) {
          if (stream.packetCount === 0) continue;
          const report = buildSenderReport({
            ssrc: stream.output.ssrc,
            unixMs: performance.timeOrigin + nowMs,
            rtpTs: stream.baseTs + Math.round((elapsedMs * clockHz) / 1000),
            packetCount: stream.packetCount,
            octetCount: stream.octetCount,
          });
          stream.output.sendRtcp([report]).catch(() => undefined);
        }
        sendReports(k + 1);
      });
    };
    // The first report goes out right after the first packets so receivers can map early markers.
    sendReports(0);
  }
}

// werift 0.25's packetizers: VP8 (RFC 7741), H.264 mode 1 (STAP-A for SPS/PPS, FU-A), VP9 (RFC 9628), AV1.
function createVideoPacketizer(codec: VideoCodecName): { packetize(data: Buffer, rtpTimestamp: number): RtpPacket[] } {
  switch (codec) {
    case "vp8":
      return new Vp8Packetizer();
    case "h264":
      return new H264Packetizer();
    case "vp9":
      return new Vp9Packetizer();
    case "av1":
      return new Av1Packetizer();
  }
}
