import type { PatternOptions } from "../media/index.js";
import type { IcePath } from "../rtc/index.js";
import type { Injections, PacingReport, PusherMode } from "../pusher/index.js";
import type { ContentMode, LiveSessionFigures, LoopStalls, ProbeMeasurements } from "../probe/index.js";
import type { RunMetadata } from "../run/index.js";
import type { BenchAggregate, BenchPooled, BenchSession } from "./bench-sessions.js";
import type { BrowserMeasurements, ProbeKind } from "../browser/index.js";
import type { TalkResult } from "./talk-run.js";

export const benchResultSchemaVersion = 1;

/** The result of one `avsync bench` run: what result.json holds and what `--json` prints. */
export interface BenchResult {
  schema: "avsync/bench-result";
  schemaVersion: typeof benchResultSchemaVersion;
  /** False when the run was interrupted or failed part-way: what it measured is still here. */
  complete: boolean;
  incompleteReason: string | null;
  meta: RunMetadata;
  config: {
    /**
     * `embedded`: avsync's own target; otherwise an external server by its signaling (ws-json,
     * http-offer = POST /offer JSON, whep). `push` is the relay's WHIP URL when avsync publishes to one.
     */
    target: { kind: "embedded" | "ws-json" | "http-offer" | "whep"; url: string; push?: string | null };
    pusher: PusherMode;
    durationS: number;
    pattern: PatternOptions;
    injections: Injections;
    /**
     * Which ICE candidates the probe gathered and paired: `loopback` (127.0.0.1 only) or `network`
     * (every interface, the STUN/TURN servers by URL, never their credentials; `relay`: relayed pairs
     * only). Absent in results from before it.
     */
    ice?: { scope: "loopback" | "network"; servers: string[]; transport: "all" | "relay" };
    /** Probe sessions opened and their ramp; absent in results from before `--sessions`. */
    sessions?: { count: number; rampPerS: number };
    /** Which markers the probe looked for (`auto`: the indexed pattern, else the beep/flash clip). */
    content?: ContentMode;
    /** Receivers that ran, when `--probe` asked for more than the node probe; absent means node only. */
    probes?: ProbeKind[];
    /**
     * Header names (never their values: they may hold tokens) and extra offer fields sent to the
     * target, and the other origins it was allowed to send avsync to (without them).
     */
    /** offerFields as given, placeholders such as {uuid} unfilled (each session filled its own). */
    signaling?: { headerNames: string[]; offerFields: Record<string, unknown>; timeoutMs: number; allowedOrigins?: string[]; sessionIdField?: string; flow?: "answer"; answerUrl?: string; trickle?: boolean };
    /** A session whose audio or video stayed silent this long, or never started, failed; absent in results from before it. */
    mediaTimeoutMs?: number;
  };
  /** Markers the run should have carried, for judging how many were paired (an estimate for external targets). */
  expectedMarkers: number;
  probe: ProbeMeasurements | null;
  pacing: PacingReport | null;
  received: {
    audioPackets: number;
    videoPackets: number;
    joinTimeMs: number | null;
    sessionId?: string | null;
    /** Stalls of the probe's event loop while it recorded: arrival stamps near one are late by up to its length. */
    loopStalls?: LoopStalls;
    /** Datagrams the kernel dropped at the first session's own sockets (receive buffer full): loss that was not the network's. */
    socketDrops?: number;
    /** The ICE candidate pair that carried the first session's media (type, address, port at each end); null when none was read. */
    icePath?: IcePath | null;
  };
  /** Every probe session in a few figures (one entry for a single-session run); `probe` is the first measured. */
  sessions?: BenchSession[];
  /** Across-session figures; present whenever `sessions` is. */
  aggregate?: BenchAggregate;
  /** Every session's markers and join times pooled, with mergeable HDR histograms; present whenever `sessions` is (absent in older results). */
  pooled?: BenchPooled;
  /** `--shard i/N`: which slice of the run's sessions this process ran; absent otherwise. */
  shard?: BenchShard;
  /** `report --merge`: the shards this result was added up from; absent otherwise. */
  merge?: BenchMerge;
  /**
   * What each session showed while it received, nothing decoded (as `--metrics-port` serves it): at the
   * end of receiving, or at the last `--checkpoint` in a result the run did not finish. Absent in older results.
   */
  live?: { atS: number; sessions: Array<{ index: number } & LiveSessionFigures> };
  /**
   * `--segment`: each session measured a segment at a time while it recorded. The sessions' offsets and
   * `pooled` add every segment up; `probe` is the first session's last segment in full.
   */
  segmented?: { segmentS: number; segments: BenchSegment[]; driftMsPerHour: Array<{ session: number; sender: number | null; arrival: number | null }> };
  /** What headless Chromium rendered (`--probe browser`); absent when it did not run, null when it measured nothing. */
  browser?: BrowserMeasurements | null;
  /** `--talk`: what was said to the talking head and what its lips and answers measured; absent without it. */
  talk?: TalkResult;
}

/** One shard of a run spread over processes or machines (`--shard`, or Kubernetes' Indexed Job). */
export interface BenchShard {
  index: number;
  count: number;
  /** The global indices of its sessions: [from, to) of the run's `--sessions`. */
  sessions: { from: number; to: number; total: number };
  /** `--start-at` as given (ISO time), null when it started at once. */
  startAt: string | null;
}

/** Where a merged result came from, and what was missing. */
export interface BenchMerge {
  shards: { index: number; source: string; complete: boolean; sessions: number; host: string; startedAt: string }[];
  /** Shard indices of 0…count−1 that were not given; a merge with any is incomplete. */
  missing: number[];
  count: number;
}

/** One measured segment of one session (`--segment`): seconds from the session's connection. */
export interface BenchSegment {
  session: number;
  index: number;
  fromS: number;
  toS: number;
  markersPaired: number;
  senderOffsetP50Ms: number | null;
  arrivalOffsetP50Ms: number | null;
  transportOffsetP50Ms: number | null;
  lostPackets: { audio: number; video: number };
}
