import { EventEmitter, setMaxListeners } from "node:events";
import { performance } from "node:perf_hooks";
import { defaultPatternOptions, type PatternOptions } from "../media/index.js";
import { cutSegment, defaultMediaTimeoutMs, LiveSessionTracker, releaseBefore, restOfRecording, segmentable, type SegmentStart, measureRecording, recordProbeSession, sleepUnlessAborted, watchLoopStalls, type ContentMode, type LoopStalls, type MeasureOptions, type ProbeMeasurements, type ProbeRecording } from "../probe/index.js";
import { countExpectedMarkers, type Injections, type PacingReport, type PusherMode } from "../pusher/index.js";
import { collectRunMetadata, heapFigures } from "../run/index.js";
import { defaultSignalingOptions, expandOfferFields, signalingFor, type SignalingOptions, type SignalingTarget } from "../signaling/index.js";
import { startEmbeddedTargetThread, type EmbeddedTarget, type TargetSession } from "../target/index.js";
import { startTalk, type TalkOptions, type TalkRun } from "./talk-run.js";
import { benchResultSchemaVersion, type BenchResult, type BenchSegment } from "./bench-result.js";
import { aggregateSessions, pooledFrom, pooledOf, summarizeSession } from "./bench-sessions.js";
import { fitLine, SignedHistogram } from "../analysis/index.js";
import { startMetricsEndpoint, type LiveRun, type MetricsListen } from "./metrics-endpoint.js";
import { compareBrowser, watchInBrowser, type BrowserWatch, type ProbeKind } from "../browser/index.js";
import { isLoopbackUrl, loopbackIce, raiseThreadPriority, type IceConfig, type VideoCodecName } from "../rtc/index.js";
import { safeText } from "../text/index.js";

export interface BenchOptions {
  durationS: number;
  mode: PusherMode;
  /** The test pattern; its content offset is `injections.contentOffsetMs`. */
  pattern: Omit<Partial<PatternOptions>, "contentOffsetMs">;
  injections: Injections;
  /** Flags as the user gave them, kept in the result's metadata. */
  flags: Record<string, unknown>;
  signalingTimeoutMs?: number;
  /** An external server to probe (ws-json, http-offer or whep); undefined starts the embedded target. */
  target?: SignalingTarget;
  /** A relay's WHIP endpoint: the pusher publishes there and the probe subscribes to `target` (WHEP). */
  push?: SignalingTarget;
  /** Headers and extra offer fields the target needs (a token, an avatar id), and the other origins it may send avsync to. */
  signaling?: Partial<Pick<SignalingOptions, "headers" | "offerFields" | "allowedOrigins" | "sessionIdField" | "answerUrl" | "trickle">>;
  /** A probe session whose audio or video stays silent this long (or never starts) ends as failed; default 3 s. */
  mediaTimeoutMs?: number;
  /** Probe sessions to open (default 1), started `rampPerS` per second. */
  sessions?: number;
  rampPerS?: number;
  /** Which markers to look for; `auto` (default) tries avsync's indexed pattern, then the beep/flash clip. */
  content?: ContentMode;
  /** Receivers to run (default node only); `browser` watches the embedded target's page in headless Chromium. */
  probes?: ProbeKind[];
  /** The user's --fps: an external stream's video steps are checked against it instead of the stream's own dominant step. */
  expectedFps?: number;
  /**
   * Which candidates the probe gathers and pairs. Default: 127.0.0.1 only for the embedded target
   * and a target on this host's loopback, every interface (no STUN/TURN) for a target elsewhere.
   */
  ice?: IceConfig;
  /** --video-codec: the only video codec the probe offers an external target. */
  videoCodec?: VideoCodecName;
  /** Aborting ends the run early; what was measured is kept and marked incomplete. */
  signal?: AbortSignal;
  /** `--talk`: make the target (or the reference talking head) speak and measure its lips and its answers. */
  talk?: TalkOptions;
  /**
   * `--shard i/N`: run only slice i of N of `sessions` (global indices, contiguous) and say so in the
   * result; `startAtUnixMs` starts the ramp then, so shards on several machines start together.
   */
  shard?: { index: number; count: number };
  startAtUnixMs?: number;
  /** `--metrics-port`: serve the run's live figures (Prometheus text format) here while it runs. */
  metrics?: MetricsListen;
  /**
   * `--checkpoint`: every `everyS` while the run receives, hand out the result so far (incomplete, with
   * the live figures) to be written, so a run that is killed leaves what it had.
   */
  checkpoint?: { everyS: number; write: (partial: BenchResult) => void };
  /**
   * `--segment`: measure each session every this many seconds while it records, from its last cut to
   * a video keyframe, and let those packets go: memory holds a segment, not the run (runs of hours).
   */
  segmentS?: number;
}

/** The global session indices [from, to) that shard `index` of `count` runs: contiguous, sizes differ by at most one. */
export function shardSessions(total: number, shard: { index: number; count: number }): { from: number; to: number } {
  return { from: Math.floor((shard.index * total) / shard.count), to: Math.floor(((shard.index + 1) * total) / shard.count) };
}

export interface BenchProgress {
  elapsedS: number;
  durationS: number;
  audioPackets: number;
  videoPackets: number;
  /** Sessions connected so far, of those asked for. */
  sessionsConnected?: number;
  sessions?: number;
}

export type BenchEvents = { phase: [string]; progress: [BenchProgress] };

// After the probe connects, the pusher anchors on its next 100 ms grid line, at least 30 ms later.
const pusherStartSlackMs = 250;
// Against the embedded target a probe records until the pushers have sent their last frame, plus this
// for packets in flight; a pusher that started late (a busy machine) may take up to the cap beyond the plan.
const senderDrainMs = 250;
const lateSenderCapMs = 10_000;
// Sessions per second when --ramp is not given: quick, but no thundering herd of handshakes.
export const defaultRampPerS = 10;

interface ProbeSlot {
  index: number;
  startOffsetMs: number;
  recording?: ProbeRecording;
  error: string | null;
  /** `--segment`: where the next segment starts and what the measured ones added up to. */
  segments?: SlotSegments;
}

interface SlotSegments {
  start: SegmentStart;
  sender: SignedHistogram;
  arrival: SignedHistogram;
  paired: number;
  list: BenchSegment[];
}

/**
 * Runs one bench: a target pushes A/V (the embedded one, an external server, or avsync's pusher
 * through a relay), N probe sessions receive it over real WebRTC on loopback, and every
 * recording is measured. Never throws for a failed run: the result says what went wrong and
 * keeps whatever was measured.
 */
export async function runBench(options: BenchOptions, events = new EventEmitter<BenchEvents>()): Promise<BenchResult> {
  const meta = collectRunMetadata("bench", options.flags);
  // The probe's arrival stamps are measurements too: let this thread win the CPU when it is busy.
  raiseThreadPriority();
  const startedMs = performance.now();
  const probes = options.probes ?? ["node"];
  const totalSessions = probes.includes("node") ? (options.sessions ?? 1) : 0;
  const slice = options.shard ? shardSessions(totalSessions, options.shard) : { from: 0, to: totalSessions };
  const sessionCount = slice.to - slice.from;
  const rampPerS = options.rampPerS ?? defaultRampPerS;
  const signaling: SignalingOptions = {
    ...defaultSignalingOptions,
    ...options.signaling,
    timeoutMs: options.signalingTimeoutMs ?? defaultSignalingOptions.timeoutMs,
    signal: options.signal,
  };
  const mediaTimeoutMs = options.mediaTimeoutMs ?? defaultMediaTimeoutMs;
  const external = options.target !== undefined;
  const ice = options.ice ?? (external && !isLoopbackUrl(options.target!.url) ? { scope: "network" as const, servers: [], transport: "all" as const } : loopbackIce);
  // Every session listens for the abort; many sessions are expected, not a leak.
  if (options.signal) setMaxListeners(sessionCount + 10, options.signal);
  const result: BenchResult = {
    schema: "avsync/bench-result",
    schemaVersion: benchResultSchemaVersion,
    complete: false,
    incompleteReason: null,
    meta,
    config: {
      target: { kind: options.target?.kind === "whip" ? "whep" : (options.target?.kind ?? "embedded"), url: options.target?.url ?? "", push: options.push?.url ?? null },
      pusher: options.mode,
      durationS: options.durationS,
      pattern: { ...defaultPatternOptions, ...options.pattern, contentOffsetMs: options.injections.contentOffsetMs },
      injections: options.injections,
      sessions: { count: sessionCount, rampPerS },
      ice: ice.scope === "network" ? { scope: "network", servers: ice.servers.map((server) => server.urls), transport: ice.transport } : { scope: "loopback", servers: [], transport: "all" },
      content: options.content ?? "auto",
      signaling: {
        headerNames: Object.keys(signaling.headers),
        offerFields: signaling.offerFields,
        timeoutMs: signaling.timeoutMs,
        allowedOrigins: signaling.allowedOrigins,
        ...(signaling.sessionIdField !== undefined ? { sessionIdField: signaling.sessionIdField } : {}),
        ...(signaling.answerUrl !== undefined ? { flow: "answer" as const, answerUrl: signaling.answerUrl } : {}),
        ...(signaling.trickle ? { trickle: true } : {}),
      },
      mediaTimeoutMs,
    },
    expectedMarkers: 0,
    probe: null,
    pacing: null,
    received: { audioPackets: 0, videoPackets: 0, joinTimeMs: null },
  };
  if (options.shard) {
    result.shard = {
      index: options.shard.index,
      count: options.shard.count,
      sessions: { ...slice, total: totalSessions },
      startAt: options.startAtUnixMs === undefined ? null : new Date(options.startAtUnixMs).toISOString(),
    };
  }
  let pusherSide: EmbeddedTarget | undefined;
  let browserWatch: BrowserWatch | undefined;
  const slots: ProbeSlot[] = [];
  let progressTimer: NodeJS.Timeout | undefined;
  let loopStalls: LoopStalls | undefined;
  let browserError: string | null = null;
  let talk: TalkRun | undefined;
  let metrics: { url: string; close: () => Promise<void> } | undefined;
  let checkpointTimer: NodeJS.Timeout | undefined;
  // Each session's live figures, read from its recording as it grows (metrics, checkpoints, the result's `live`).
  const trackers = new Map<ProbeSlot, LiveSessionTracker>();
  const readLive = (): Pick<LiveRun, "elapsedS" | "sessions"> => {
    const now = performance.now();
    return {
      elapsedS: (now - startedMs) / 1000,
      sessions: slots.map((slot) => {
        if (slot.recording && !trackers.has(slot)) trackers.set(slot, new LiveSessionTracker(slot.recording));
        return { index: slot.index, failed: slot.error !== null, figures: trackers.get(slot)?.read(now) ?? null };
      }),
    };
  };
  // A talk driver that fails ends the recording early, like Ctrl-C, but the run is judged failed, not interrupted.
  const talkStop = new AbortController();
  const recordSignal = options.signal ? AbortSignal.any([options.signal, talkStop.signal]) : talkStop.signal;
  try {
    let signalingTarget = options.target;
    let tailMs = 0;
    let sendersDone: { done: Promise<void>; drainMs: number } | undefined;
    if (options.push) {
      events.emit("phase", `publishing the test pattern to ${options.push.url} (WHIP)`);
      pusherSide = await startUnlessAborted(
        startEmbeddedTargetThread({
          mode: options.mode,
          pattern: options.pattern,
          injections: options.injections,
          publishUrl: options.push.url,
          signaling: { headers: signaling.headers, timeoutMs: signaling.timeoutMs, allowedOrigins: signaling.allowedOrigins },
        }),
        options.signal,
      );
      result.config.pattern = pusherSide.pattern;
    }
    if (options.talk) {
      events.emit("phase", external ? "saying the utterances (espeak-ng)" : "saying the utterances (espeak-ng) and starting the reference talking head");
      talk = await startTalk(options.talk, options.target, options.signal);
      result.talk = talk.result;
      if (!external) {
        signalingTarget = { kind: "http-offer", url: talk.offerUrl };
        result.config.target = { kind: "http-offer", url: talk.offerUrl, push: null };
      }
      // The run lasts as long as its utterances and their answers take, at least.
      options = { ...options, durationS: Math.max(options.durationS, talk.plannedS) };
      result.config.durationS = options.durationS;
    } else if (!external) {
      events.emit("phase", "encoding the test pattern and starting the embedded target");
      pusherSide = await startUnlessAborted(
        startEmbeddedTargetThread({
          mode: options.mode,
          pattern: options.pattern,
          injections: options.injections,
          sessionDurationS: options.durationS,
          // Every probe session and the browser's.
          maxSessions: sessionCount + 1,
        }),
        options.signal,
      );
      const url = pusherSide.url;
      result.config.target.url = url;
      result.config.pattern = pusherSide.pattern;
      signalingTarget = { kind: "ws-json", url };
      tailMs = pusherStartSlackMs + Math.abs(options.injections.scheduleOffsetMs) + Math.abs(options.injections.timestampOffsetMs);
      sendersDone = { done: pushersFinished(pusherSide, sessionCount + (probes.includes("browser") ? 1 : 0)), drainMs: senderDrainMs };
    }
    // An external stream's or a user's clip's markers can only be estimated (a period each).
    result.expectedMarkers = options.talk ? 0 : external || result.config.pattern.mediaFile
      ? Math.floor(options.durationS / result.config.pattern.markerPeriodS)
      : countExpectedMarkers(result.config.pattern, options.durationS);
    const firstPacing = pusherSide ? firstSessionPacing(pusherSide) : null;
    if (probes.includes("browser")) {
      if (external || options.push) throw new Error("`--probe browser` watches the embedded target's page; it cannot be used with --target or --push.");
      browserWatch = watchInBrowser({ targetWsUrl: pusherSide!.url, pattern: result.config.pattern, durationMs: options.durationS * 1000 + tailMs, signal: options.signal }, (phase) => events.emit("phase", phase));
      // The browser's session first, so the node probe's is the one started after it.
      await browserWatch.connected;
    }

    if (options.metrics) {
      // Each thread's memory is for the scrape only (checkpoints and the result keep none).
      const readHeaps = (): LiveRun["heaps"] => {
        const target = pusherSide?.heap?.() ?? null;
        return [{ thread: "main", figures: heapFigures() }, ...(target ? [{ thread: "target", figures: target }] : [])];
      };
      metrics = await startMetricsEndpoint(options.metrics, () => ({ ...readLive(), heaps: readHeaps(), plannedS: options.durationS, requested: sessionCount }));
      events.emit("phase", `live metrics (Prometheus) at ${metrics.url}`);
    }
    if (options.checkpoint) {
      const { everyS, write } = options.checkpoint;
      checkpointTimer = setInterval(() => {
        const live = liveFigures(readLive());
        write({
          ...result,
          complete: false,
          incompleteReason: `checkpoint at ${live.atS.toFixed(0)} s: the run was still going (a run that ends writes its result over this one)`,
          live,
          ...(options.segmentS ? { segmented: segmentedFigures(slots, options.segmentS) } : {}),
        });
      }, everyS * 1000);
    }
    events.emit("phase", `connecting ${sessionCount > 1 ? `${sessionCount} sessions (${rampPerS}/s) ` : ""}to ${result.config.target.url}`);
    let receiving = false;
    progressTimer = setInterval(() => {
      const progress = emitProgress(events, slots, options.durationS, sessionCount);
      // Said once, when media first flows: from here on an interrupt keeps a measurement.
      if (!receiving && progress && progress.audioPackets + progress.videoPackets > 0) {
        receiving = true;
        events.emit("phase", `receiving media (${progress.sessionsConnected} of ${sessionCount} session${sessionCount === 1 ? "" : "s"} connected)`);
      }
    }, 1000);
    const runs: Promise<void>[] = [];
    if (options.startAtUnixMs !== undefined && options.startAtUnixMs > Date.now()) {
      events.emit("phase", `waiting for --start-at ${new Date(options.startAtUnixMs).toISOString()}`);
      await sleepUnlessAborted(options.startAtUnixMs - Date.now(), options.signal);
    }
    const stallWatch = watchLoopStalls();
    // With --start-at, every shard's sessions keep their place on the whole run's ramp.
    const rampStartMs = performance.now() + (options.startAtUnixMs !== undefined ? (slice.from * 1000) / rampPerS : 0);
    for (let index = slice.from; index < slice.to && !options.signal?.aborted; index++) {
      const startOffsetMs = ((index - slice.from) * 1000) / rampPerS;
      await sleepUnlessAborted(rampStartMs + startOffsetMs - performance.now(), options.signal);
      const slot: ProbeSlot = { index, startOffsetMs, error: null };
      slots.push(slot);
      runs.push(
        recordProbeSession({
          // Each session fills the offer fields' {uuid} and {index} afresh.
          ...signalingFor(signalingTarget!, { ...signaling, offerFields: expandOfferFields(signaling.offerFields, { index }) }),
          durationMs: options.durationS * 1000 + tailMs + (sendersDone ? lateSenderCapMs : 0),
          sendersDone,
          connectTimeoutMs: signaling.timeoutMs,
          ice,
          ...(external && options.videoCodec ? { videoCodecs: [options.videoCodec] } : {}),
          mediaTimeoutMs,
          expectedMediaMs: options.durationS * 1000,
          signal: recordSignal,
          ...(index === 0 && talk?.microphone ? { microphone: talk.microphone } : {}),
          onRecording: (live) => (slot.recording = live),
        }).then(
          () => undefined,
          (error: Error) => void (slot.error = describeError(error)),
        ),
      );
    }
    const driving = talk && slots[0] ? talk.drive(slots[0], recordSignal).catch((error: Error) => {
      result.incompleteReason ??= describeError(error);
      talkStop.abort();
    }) : undefined;
    const segmentStop = new AbortController();
    const segmenting = options.segmentS
      ? (async () => {
          while (!segmentStop.signal.aborted) {
            await sleepUnlessAborted(options.segmentS! * 1000, segmentStop.signal);
            if (segmentStop.signal.aborted) break;
            // The sessions with no keyframe to cut at (one was asked for each).
            const measure = async (of: readonly ProbeSlot[]): Promise<ProbeSlot[]> => {
              const waiting: ProbeSlot[] = [];
              for (const slot of of) {
                if (segmentStop.signal.aborted) break;
                if ((await measureNextSegment(slot, result, options, () => void readLive())) === "no keyframe") waiting.push(slot);
              }
              return waiting;
            };
            let waiting = await measure(slots);
            // A sender that sends keyframes only when asked (aiortc: every 3000 frames) was asked: cut
            // where its keyframe lands. Those that ignore the request are tried again next time.
            for (let attempt = 0; attempt < keyframeAttempts && waiting.length > 0 && !segmentStop.signal.aborted; attempt++) {
              await sleepUnlessAborted(keyframeWaitMs, segmentStop.signal);
              waiting = await measure(waiting);
            }
          }
        })()
      : undefined;
    await Promise.all(runs);
    segmentStop.abort();
    await segmenting;
    talkStop.abort();
    await driving;
    loopStalls = stallWatch.stop();
    const watched = await browserWatch?.done;
    if (watched) {
      result.config.probes = probes;
      result.browser = watched.measurements;
    }
    result.pacing = firstPacing ? await firstPacing() : null;
    browserError = watched?.error ?? null;
  } catch (error) {
    result.incompleteReason = describeError(error);
  } finally {
    clearInterval(progressTimer);
    clearInterval(checkpointTimer);
    if (slots.some((slot) => slot.recording?.connectedAtMs != null)) result.live = liveFigures(readLive());
    await metrics?.close();
    await browserWatch?.done;
    await pusherSide?.close();
    await talk?.close();
  }
  await measureSlots(result, slots, options, events);
  if (talk && slots[0]?.recording?.connectedAtMs != null) {
    events.emit("phase", "measuring the talking head's lips and answers");
    const error = await talk.measure(slots[0].recording);
    if (error) result.incompleteReason ??= describeError(error);
  }
  if (loopStalls && result.probe) result.received.loopStalls = loopStalls;
  // Judged after measuring: a session the probe could not measure fails the run like one that died.
  result.incompleteReason ??= whyIncomplete(slots, options.signal?.aborted ?? false, browserError);
  result.complete = result.incompleteReason === null;
  if (result.browser) {
    // What the stream's timestamps say the offset is: the node probe's reading, or what was injected.
    const sender = result.probe
      ? { ms: result.probe.content.senderOffsetMs.p50, source: "node-probe" as const }
      : { ms: options.injections.contentOffsetMs + options.injections.timestampOffsetMs, source: "injected" as const };
    result.browser.comparison = compareBrowser(result.browser, sender, result.probe?.content.arrivalOffsetMs.p50 ?? null);
  }
  result.meta.durationS = (performance.now() - startedMs) / 1000;
  return result;
}

// Resolves once `expected` sessions of the embedded target exist and every one's pusher has stopped.
function pushersFinished(target: EmbeddedTarget, expected: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (target.sessions.length < expected) return;
      target.off("session", check);
      void Promise.all(target.sessions.map((s) => s.finished)).then(() => resolve());
    };
    target.on("session", check);
    check();
  });
}

// Starting a target takes seconds (it encodes the pattern first); Ctrl-C must not wait for that.
// A target that comes up after the abort is closed at once.
function startUnlessAborted(starting: Promise<EmbeddedTarget>, signal: AbortSignal | undefined): Promise<EmbeddedTarget> {
  if (!signal) return starting;
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      reject(new Error("interrupted while the target was starting"));
      void starting.then((target) => target.close(), () => undefined);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    starting.then(
      (target) => (signal.removeEventListener("abort", onAbort), resolve(target)),
      (error: unknown) => (signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}

// The pusher's pacing report of the first session (the only one for a single-session run). The
// session is caught as soon as it starts; its report is asked for once the probes are done.
function firstSessionPacing(target: EmbeddedTarget): () => Promise<PacingReport | null> {
  const session = new Promise<TargetSession>((resolve) => {
    if (target.sessions[0]) resolve(target.sessions[0]);
    else target.once("session", resolve);
  });
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        session.then((s) => (s.stop(), s.finished)),
        new Promise<PacingReport | null>((resolve) => (timer = setTimeout(() => resolve(null), 2000))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}

async function measureSlots(result: BenchResult, slots: readonly ProbeSlot[], options: BenchOptions, events: EventEmitter<BenchEvents>): Promise<void> {
  const measured: Array<ProbeMeasurements | null> = [];
  const firstStartMs = slots[0]?.recording?.startedAtMs ?? 0;
  for (const slot of slots) {
    const recording = slot.recording;
    if (!recording || recording.connectedAtMs === null) {
      measured.push(null);
      continue;
    }
    // Ctrl-C asks for a quick exit: the first measured session is kept in full, the others by their counts only.
    if (options.signal?.aborted && measured.some((m) => m !== null)) {
      slot.error ??= "not measured: the run was interrupted";
      measured.push(null);
      continue;
    }
    events.emit("phase", slots.length > 1 ? `decoding and measuring session ${slot.index + 1}/${slots.length}` : "decoding and measuring");
    const rest = slot.segments ? restOfRecording(recording, slot.segments.start) : recording;
    const outcome = await measureOrExplain(rest, result.config.pattern, measureOptionsOf(options));
    if (outcome.error !== null) slot.error ??= outcome.error;
    if (slot.segments && outcome.measurements) addSegment(slot, rest, outcome.measurements);
    measured.push(outcome.measurements);
  }
  const sessions = slots.map((slot, i) => {
    const recording = slot.recording;
    const connected = recording && recording.connectedAtMs !== null;
    const session = summarizeSession(
      slot.index,
      recording ? recording.startedAtMs - firstStartMs : slot.startOffsetMs,
      {
        sessionId: recording?.sessionId ?? null,
        joinTimeMs: connected ? recording.connectedAtMs! - recording.startedAtMs : null,
        received: { audioPackets: recording?.audio.packets.length ?? 0, videoPackets: recording?.video.packets.length ?? 0 },
        error: slot.error ?? (connected ? null : "not connected"),
      },
      measured[i] ?? null,
    );
    // A segmented session's figures are its segments' added up, not its last segment's.
    const segments = slot.segments;
    return segments
      ? { ...session, markers: { ...session.markers, paired: segments.paired }, senderOffsetMs: segments.sender.summary(), arrivalOffsetMs: segments.arrival.summary() }
      : session;
  });
  const first = measured.findIndex((m) => m !== null);
  if (first >= 0) {
    const recording = slots[first]!.recording!;
    result.probe = measured[first]!;
    result.received = {
      audioPackets: recording.audio.packets.length,
      videoPackets: recording.video.packets.length,
      joinTimeMs: recording.connectedAtMs! - recording.startedAtMs,
      sessionId: recording.sessionId ?? null,
      socketDrops: recording.socketDrops ?? 0,
      icePath: recording.icePath ?? null,
    };
    // An external stream's markers are only estimated up front; a stream without any expects none.
    if ((options.target || result.config.pattern.mediaFile) && result.probe.markers.source === "none") result.expectedMarkers = 0;
    // Video that never decoded must not pass for video without markers: the run failed to measure it.
    const video = result.probe.media?.video;
    if (video?.failure && result.incompleteReason === null) {
      result.incompleteReason = `video (${video.codec ?? "unknown codec"}): decoded 0 of ${video.frames} frames: ${video.failure}`;
      result.complete = false;
    }
  }
  if (slots.length > 0) {
    result.sessions = sessions;
    result.aggregate = aggregateSessions(sessions, result.config.sessions?.rampPerS ?? defaultRampPerS);
    const joinTimeMs = sessions.flatMap((s) => (s.joinTimeMs === null ? [] : [s.joinTimeMs]));
    if (options.segmentS) {
      const sender = SignedHistogram.empty();
      const arrival = SignedHistogram.empty();
      for (const slot of slots) {
        if (!slot.segments) continue;
        sender.add(slot.segments.sender);
        arrival.add(slot.segments.arrival);
      }
      result.pooled = pooledOf(sessions.length, { senderOffsetMs: sender, arrivalOffsetMs: arrival, joinTimeMs: SignedHistogram.ofMs(joinTimeMs) });
      result.segmented = segmentedFigures(slots, options.segmentS);
    } else {
      const markers = measured.flatMap((m) => m?.content.markers ?? []);
      result.pooled = pooledFrom(sessions.length, {
        senderOffsetMs: markers.flatMap((m) => (m.senderOffsetMs === null ? [] : [m.senderOffsetMs])),
        arrivalOffsetMs: markers.map((m) => m.arrivalOffsetMs),
        joinTimeMs,
      });
    }
  }
}

function emitProgress(events: EventEmitter<BenchEvents>, slots: readonly ProbeSlot[], durationS: number, sessions: number): BenchProgress | null {
  const live = slots.flatMap((s) => (s.recording && s.recording.connectedAtMs !== null ? [s.recording] : []));
  if (live.length === 0) return null;
  const progress: BenchProgress = {
    elapsedS: Math.min(durationS, (performance.now() - live[0]!.connectedAtMs!) / 1000),
    durationS,
    audioPackets: live.reduce((sum, r) => sum + r.audio.packets.length, 0),
    videoPackets: live.reduce((sum, r) => sum + r.video.packets.length, 0),
    sessionsConnected: live.length,
    sessions,
  };
  events.emit("progress", progress);
  return progress;
}

// Why a run that got through its sessions is incomplete, or null: interrupted, a session failed (which, and why), or the browser failed.
function whyIncomplete(slots: readonly ProbeSlot[], aborted: boolean, browserError: string | null): string | null {
  const failed = slots.filter((s) => s.error !== null);
  if (aborted) return "interrupted before the planned duration";
  if (failed.length === slots.length && failed.length === 1) return failed[0]!.error;
  if (failed.length > 0) return `${failed.length} of ${slots.length} sessions failed; the first, #${failed[0]!.index}: ${failed[0]!.error}`;
  return browserError;
}

/**
 * Measures one session's recording; whatever a target sent, the session ends with figures or one
 * line saying why it has none (never an exception out of the run).
 */
export async function measureOrExplain(
  recording: ProbeRecording,
  pattern: PatternOptions,
  measureOptions: MeasureOptions,
): Promise<{ measurements: ProbeMeasurements; error: null } | { measurements: null; error: string }> {
  try {
    return { measurements: await measureRecording(recording, pattern, measureOptions), error: null };
  } catch (error) {
    return { measurements: null, error: `could not measure what was received: ${describeError(error)}` };
  }
}

// A reason must never be empty (an error without a message still has a name), and one from a
// target is kept short and inert wherever it is shown, result.json included.
function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name || "unknown error" : String(error) || "unknown error";
  return safeText(text.replace(/\s*\n+\s*/g, " "), maxReasonChars);
}

// A reason is a line, not a document: the long texts a target may send are cut to this.
const maxReasonChars = 500;

// The live figures as result.json keeps them.
function liveFigures(run: Pick<LiveRun, "elapsedS" | "sessions">): NonNullable<BenchResult["live"]> {
  return {
    atS: Math.round(run.elapsedS * 10) / 10,
    sessions: run.sessions.flatMap((s) => (s.figures ? [{ index: s.index, ...s.figures }] : [])),
  };
}

function measureOptionsOf(options: BenchOptions): MeasureOptions {
  return {
    content: options.content ?? "auto",
    // Only avsync's own pusher is known to send the pattern's frame rate and 20 ms audio.
    expectations: options.target && !options.push ? "stream" : "pattern",
    ...(options.target ? { fps: options.expectedFps } : {}),
  };
}

// Cuts one live session at its latest keyframe that arrived at least this long ago (its audio overlap
// must have arrived too), measures the segment and lets its packets go.
const segmentSettleMs = 1500;

// A keyframe asked for arrives within a round trip and an encode; it is looked for once it has settled.
const keyframeWaitMs = segmentSettleMs + 1000;
const keyframeAttempts = 3;

/** Measures one session's next segment; "no keyframe" when none arrived to cut at (one was asked for). */
async function measureNextSegment(slot: ProbeSlot, result: BenchResult, options: BenchOptions, catchUpLive: () => void): Promise<"no keyframe" | undefined> {
  const recording = slot.recording;
  if (!recording || recording.connectedAtMs === null || recording.endedAtMs !== null || !segmentable(recording)) return;
  slot.segments ??= { start: { video: 0, audio: 0, atMs: null }, sender: SignedHistogram.empty(), arrival: SignedHistogram.empty(), paired: 0, list: [] };
  const cut = cutSegment(recording, slot.segments.start, performance.now() - segmentSettleMs);
  if (cut === "no keyframe") {
    recording.requestKeyframe?.();
    return cut;
  }
  if (!cut) return;
  const outcome = await measureOrExplain(cut.segment, result.config.pattern, measureOptionsOf(options));
  if (outcome.measurements) addSegment(slot, cut.segment, outcome.measurements);
  // The live figures read every packet once: let them catch up before the packets go.
  catchUpLive();
  releaseBefore(recording, cut.next);
  slot.segments.start = cut.next;
}

function addSegment(slot: ProbeSlot, segment: ProbeRecording, m: ProbeMeasurements): void {
  const state = slot.segments!;
  const connectedMs = slot.recording!.connectedAtMs!;
  const video = segment.video.packets;
  for (const marker of m.content.markers) {
    if (marker.senderOffsetMs !== null) state.sender.recordMs(marker.senderOffsetMs);
    state.arrival.recordMs(marker.arrivalOffsetMs);
  }
  state.paired += m.markers.paired;
  const round = (v: number | null): number | null => (v === null ? null : Math.round(v * 100) / 100);
  state.list.push({
    session: slot.index,
    index: state.list.length,
    fromS: round(((video.at(0)?.arrivalMs ?? connectedMs) - connectedMs) / 1000)!,
    toS: round(((video.at(-1)?.arrivalMs ?? connectedMs) - connectedMs) / 1000)!,
    markersPaired: m.markers.paired,
    senderOffsetP50Ms: round(m.content.senderOffsetMs.p50),
    arrivalOffsetP50Ms: round(m.content.arrivalOffsetMs.p50),
    transportOffsetP50Ms: round(m.transport.relativeDelayMs.p50),
    lostPackets: { audio: m.continuity.audio.sequenceGaps.lostPackets, video: m.continuity.video.sequenceGaps.lostPackets },
  });
}

// Every segment of every session, and each session's drift: the slope of its segments' median offsets, per hour.
function segmentedFigures(slots: readonly ProbeSlot[], segmentS: number): NonNullable<BenchResult["segmented"]> {
  const segments = slots.flatMap((slot) => slot.segments?.list ?? []);
  const slope = (list: readonly BenchSegment[], pick: (s: BenchSegment) => number | null): number | null => {
    const points = list.flatMap((s) => (pick(s) === null ? [] : [[(s.fromS + s.toS) / 2, pick(s)!] as const]));
    const fit = points.length >= 3 ? fitLine(points.map(([t]) => t), points.map(([, v]) => v)) : null;
    return fit ? Math.round(fit.slope * 3600 * 100) / 100 : null;
  };
  return {
    segmentS,
    segments,
    driftMsPerHour: slots.flatMap((slot) =>
      slot.segments ? [{ session: slot.index, sender: slope(slot.segments.list, (s) => s.senderOffsetP50Ms), arrival: slope(slot.segments.list, (s) => s.arrivalOffsetP50Ms) }] : [],
    ),
  };
}
