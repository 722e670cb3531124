import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import type { PatternOptions } from "../media/index.js";
import { measureRecording, recordProbeSession, type ProbeRecording } from "../probe/index.js";
import { countExpectedMarkers, type Injections, type PacingReport, type PusherMode } from "../pusher/index.js";
import { collectRunMetadata } from "../report/index.js";
import { negotiateOverWebSocket } from "../signaling/index.js";
import { startEmbeddedTargetThread, type EmbeddedTarget, type TargetSession } from "../target/index.js";
import { benchResultSchemaVersion, type BenchResult } from "./bench-result.js";

export interface BenchOptions {
  durationS: number;
  mode: PusherMode;
  pattern: Partial<PatternOptions>;
  injections: Injections;
  /** Flags as the user gave them, kept in the result's metadata. */
  flags: Record<string, unknown>;
  signalingTimeoutMs?: number;
  /** Aborting ends the run early; what was measured is kept and marked incomplete. */
  signal?: AbortSignal;
}

export interface BenchProgress {
  elapsedS: number;
  durationS: number;
  audioPackets: number;
  videoPackets: number;
}

export type BenchEvents = { phase: [string]; progress: [BenchProgress] };

// After the probe connects, the pusher anchors on its next 100 ms grid line, at least 30 ms later.
const pusherStartSlackMs = 250;

/**
 * Runs one bench: the embedded target pushes the test pattern, the probe receives it over real
 * WebRTC on loopback, and the recording is measured. Never throws for a failed run: the result
 * says what went wrong and keeps whatever was measured.
 */
export async function runBench(options: BenchOptions, events = new EventEmitter<BenchEvents>()): Promise<BenchResult> {
  const meta = collectRunMetadata("bench", options.flags);
  const startedMs = performance.now();
  const result: BenchResult = {
    schema: "avsync/bench-result",
    schemaVersion: benchResultSchemaVersion,
    complete: false,
    incompleteReason: null,
    meta,
    config: {
      target: { kind: "embedded", url: "" },
      pusher: options.mode,
      durationS: options.durationS,
      pattern: { ...(options.pattern as PatternOptions) },
      injections: {
        contentOffsetMs: options.pattern.contentOffsetMs ?? 0,
        scheduleOffsetMs: options.injections.scheduleOffsetMs,
        timestampOffsetMs: options.injections.timestampOffsetMs,
        dropVideoFrames: [...options.injections.dropVideoFrames].sort((a, b) => a - b),
        dropAudioFrames: [...options.injections.dropAudioFrames].sort((a, b) => a - b),
      },
    },
    expectedMarkers: 0,
    probe: null,
    pacing: null,
    received: { audioPackets: 0, videoPackets: 0, joinTimeMs: null },
  };
  let target: EmbeddedTarget | undefined;
  let recording: ProbeRecording | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  try {
    events.emit("phase", "encoding the test pattern and starting the embedded target");
    target = await startEmbeddedTargetThread({
      mode: options.mode,
      pattern: options.pattern,
      injections: options.injections,
      sessionDurationS: options.durationS,
    });
    result.config.target.url = target.url;
    result.config.pattern = target.pattern;
    result.expectedMarkers = countExpectedMarkers(target.pattern, options.durationS);
    const session = new Promise<TargetSession>((resolve) => target!.once("session", resolve));
    const tailMs = pusherStartSlackMs + Math.abs(options.injections.scheduleOffsetMs) + Math.abs(options.injections.timestampOffsetMs);
    events.emit("phase", `connecting to ${target.url}`);
    const url = target.url;
    const recorded = recordProbeSession({
      negotiate: (offer) => negotiateOverWebSocket(url, offer, options.signalingTimeoutMs ?? 10_000),
      durationMs: options.durationS * 1000 + tailMs,
      signal: options.signal,
      onRecording: (live) => {
        recording = live;
        progressTimer = setInterval(() => {
          if (live.connectedAtMs === null) return;
          events.emit("progress", {
            elapsedS: Math.min(options.durationS, (performance.now() - live.connectedAtMs) / 1000),
            durationS: options.durationS,
            audioPackets: live.audio.packets.length,
            videoPackets: live.video.packets.length,
          });
        }, 1000);
      },
    });
    await recorded;
    const pacing = await Promise.race([
      session.then((s) => (s.stop(), s.finished)),
      new Promise<PacingReport | null>((resolve) => setTimeout(() => resolve(null), 2000)),
    ]);
    result.pacing = pacing;
    result.complete = !options.signal?.aborted;
    if (options.signal?.aborted) result.incompleteReason = "interrupted before the planned duration";
  } catch (error) {
    result.incompleteReason = (error as Error).message;
  } finally {
    clearInterval(progressTimer);
    await target?.close();
  }
  if (recording && recording.connectedAtMs !== null) {
    events.emit("phase", "decoding and measuring");
    result.received = {
      audioPackets: recording.audio.packets.length,
      videoPackets: recording.video.packets.length,
      joinTimeMs: recording.connectedAtMs - recording.startedAtMs,
    };
    result.probe = await measureRecording(recording, result.config.pattern);
  }
  result.meta.durationS = (performance.now() - startedMs) / 1000;
  return result;
}
