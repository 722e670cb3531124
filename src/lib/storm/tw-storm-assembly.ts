import { summarize } from "../analysis/index.js";
import type { RunMetadata } from "../run/index.js";
import { diffTcpCounters } from "../tcp/index.js";
import { summariseLatenciesUs, summariseLatencyPercentilesUs } from "./latency-summary.js";
import type { StormSamples } from "./storm-sampler.js";
import type { StormServerStats } from "./storm-server.js";
import type { StormTally } from "./storm-tally.js";
import { accountTimeWait } from "./time-wait-accounting.js";
import type { TwStormOptions } from "./tw-storm-options.js";
import { predictTwStorm } from "./tw-storm-predictions.js";
import type { TwStormResult } from "./tw-storm-result.js";

type Census = { client: Record<string, number>; server: Record<string, number> };

/** Everything a storm observed, as the runner collected it; every figure of the result is derived from this alone. */
export interface TwStormObservation {
  meta: RunMetadata;
  options: Omit<TwStormOptions, "signal" | "flags">;
  target: string;
  topology: { kind: "netns" | "loopback"; clientNamespace: string | null; serverNamespace: string | null };
  sysctls: { client: Record<string, string>; server: Record<string, string> };
  /** Second 0 of the storm: every tMs and every second of the result counts from here. */
  stormStartEpochMs: number;
  tally: StormTally;
  samples: StormSamples;
  /** TIME_WAIT (sockstat) by namespace role before the storm. */
  baseline: Record<string, number>;
  /** The reading once the storm's last closes had finished: sockstat TIME_WAIT, the ss census and the counters, by role. */
  stormEnd: { epochMs: number; timeWait: Record<string, number>; census: Census | undefined; counters: Record<string, Record<string, number>> };
  counters: { before: Record<string, Record<string, number>>; after: Record<string, Record<string, number>> };
  /** When TIME_WAIT was back to its baseline after the storm, if it was within the drain. */
  drainedEpochMs: number | undefined;
  /** The last reading before that still above the baseline: the drain happened between the two. */
  drainLastAboveEpochMs?: number | undefined;
  server: StormServerStats | undefined;
  complete: boolean;
  warnings: string[];
}

function startLateness(lateMs: number[]): { p50: number; p95: number; max: number } | null {
  const s = summarize(lateMs);
  return s.count === 0 ? null : { p50: s.p50!, p95: s.p95!, max: s.max! };
}

const mean = (values: number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

/** Assembles the result of a storm from what it observed: durations, rates, TIME_WAIT, accounting and predictions. */
export function assembleTwStormResult(observed: TwStormObservation): TwStormResult {
  const { options, tally, samples, stormStartEpochMs, topology } = observed;
  const relative = (epochMs: number): number => epochMs - stormStartEpochMs;
  const seconds = [...tally.seconds.keys()].sort((a, b) => a - b);
  const predictions = predictTwStorm({
    shape: options.shape,
    cycles: options.cycles,
    durationS: options.durationS,
    closeMode: options.closeMode,
    sysctls: observed.sysctls,
    loopbackDestination: topology.kind === "loopback",
  });
  const clientRole = topology.kind === "netns" ? "client" : "host";
  const occupancyAt = (tMs: number): number => {
    const series = samples.sockstat[clientRole] ?? [];
    const sample = series.find((entry) => relative(entry[0]) >= tMs + 1000) ?? series.at(-1);
    return sample ? Math.min(1, (sample[1] + sample[2]) / predictions.portRange) : 0;
  };
  const stormDurationS = tally.lastEndEpochMs !== undefined ? relative(tally.lastEndEpochMs) / 1000 : 0;
  const atStormEnd =
    topology.kind === "netns"
      ? {
          client: (observed.stormEnd.timeWait.client ?? 0) - (observed.baseline.client ?? 0),
          server: (observed.stormEnd.timeWait.server ?? 0) - (observed.baseline.server ?? 0),
          source: "sockstat" as const,
        }
      : { client: observed.stormEnd.census?.client.TIME_WAIT ?? 0, server: observed.stormEnd.census?.server.TIME_WAIT ?? 0, source: "ss" as const };
  const toStormEnd = Object.fromEntries(Object.keys(observed.stormEnd.counters).map((role) => [role, diffTcpCounters(observed.counters.before[role] ?? {}, observed.stormEnd.counters[role]!)]));
  const accounting = accountTimeWait({
    started: tally.started,
    // Only the storm's workers connect from its client namespace; on loopback the host's count holds everyone's.
    synsSent: topology.kind === "netns" ? (toStormEnd.client?.["Tcp.ActiveOpens"] ?? 0) : tally.ports.length,
    ports: tally.ports,
    held: { client: atStormEnd.client, server: atStormEnd.server },
    atEpochMs: observed.stormEnd.epochMs,
    // On loopback both ends live in the host's namespace, whose counters also count everyone else's connections.
    counters: topology.kind === "netns" ? { client: toStormEnd.client ?? {}, server: toStormEnd.server ?? {} } : { client: toStormEnd.host ?? {}, server: {} },
    timeWaitHolder: predictions.timeWaitHolder,
  });
  const { after, before } = observed.counters;

  return {
    schema: "avsync/tw-storm-result",
    schemaVersion: 1,
    complete: observed.complete,
    meta: { ...observed.meta, sampler: { tool: samples.tool ?? null, sockstatMeanMs: mean(samples.sockstatCostMs), ssMeanMs: mean(samples.ssCostMs) } },
    config: {
      protocol: options.protocol,
      closeMode: options.closeMode,
      shape: options.shape,
      cycles: options.cycles,
      durationS: options.durationS,
      concurrency: options.concurrency,
      messages: options.messages,
      serverDelayMs: options.serverDelayMs,
      workers: options.workers,
      target: observed.target,
      topology: options.topology,
      sysctls: options.sysctls,
      drainMaxS: options.drainMaxS,
      timeoutMs: options.timeoutMs,
      port: options.port,
    },
    topology: { ...topology, target: observed.target },
    sysctls: observed.sysctls,
    cycles: {
      planned: options.cycles,
      started: tally.started,
      succeeded: tally.succeeded,
      failed: tally.failed,
      achievedRatePerS: stormDurationS > 0 ? tally.started / stormDurationS : 0,
      stormDurationS,
      firstFailureS: tally.firstFailureEpochMs === undefined ? null : relative(tally.firstFailureEpochMs) / 1000,
      lastCloseS: tally.lastCloseEpochMs === undefined ? null : relative(tally.lastCloseEpochMs) / 1000,
      startLateMs: startLateness(tally.startLateMs),
      dueNotStarted: tally.dueNotStarted,
    },
    timeWait: {
      baseline: observed.baseline,
      peak: Object.fromEntries(Object.entries(samples.sockstat).map(([role, series]) => [role, Math.max(0, ...series.map((entry) => entry[1]))])),
      atStormEnd,
      drainS: observed.drainedEpochMs !== undefined && tally.lastCloseEpochMs !== undefined ? (observed.drainedEpochMs - tally.lastCloseEpochMs) / 1000 : null,
      drainResolutionS:
        observed.drainedEpochMs !== undefined && observed.drainLastAboveEpochMs !== undefined && Number.isFinite(observed.drainLastAboveEpochMs)
          ? (observed.drainedEpochMs - observed.drainLastAboveEpochMs) / 1000
          : null,
      drainedToBaseline: observed.drainedEpochMs !== undefined,
      accounting,
    },
    errorsByErrno: tally.errors,
    closeCodes: { client: tally.closeCodes, server: observed.server?.closeCodes ?? {} },
    server: observed.server ? { connections: observed.server.connections, requests: observed.server.requests } : null,
    series: {
      sockstat: Object.fromEntries(Object.entries(samples.sockstat).map(([role, series]) => [role, series.map(([epochMs, tw, inuse, orphan]) => [relative(epochMs), tw, inuse, orphan] as [number, number, number, number])])),
      ss: samples.ss.map(([epochMs, census]) => [relative(epochMs), census]),
      twTimers: samples.twTimers.map(([epochMs, timers]) => [relative(epochMs), timers]),
      cyclesPerS: seconds.map((second) => {
        const bucket = tally.seconds.get(second)!;
        return [second * 1000, bucket.started, bucket.succeeded, bucket.failed];
      }),
      errorsByErrno: seconds.filter((second) => tally.seconds.get(second)!.failed > 0).map((second) => [second * 1000, tally.seconds.get(second)!.errors]),
      connectLatency: seconds.map((second) => [second * 1000, ...summariseLatenciesUs(tally.seconds.get(second)!.connectUs), occupancyAt(second * 1000)]),
      handshakeLatency: seconds.map((second) => [second * 1000, ...summariseLatenciesUs(tally.seconds.get(second)!.handshakeUs)]),
    },
    counters: {
      before,
      atStormEnd: observed.stormEnd.counters,
      after,
      delta: Object.fromEntries(Object.keys(after).map((role) => [role, diffTcpCounters(before[role] ?? {}, after[role]!)])),
    },
    latencyUs: {
      connect: summariseLatencyPercentilesUs(seconds.flatMap((second) => tally.seconds.get(second)!.connectUs)),
      handshake: summariseLatencyPercentilesUs(seconds.flatMap((second) => tally.seconds.get(second)!.handshakeUs)),
    },
    predictions,
    warnings: [...observed.warnings, ...behindShapeWarnings(tally)],
  };
}

/** Says when the storm did not keep to its shape: cycles that never started, or starts late enough to move a second's count. */
function behindShapeWarnings(tally: StormTally): string[] {
  const late = startLateness(tally.startLateMs);
  const parts = [
    ...(tally.dueNotStarted > 0 ? [`${tally.dueNotStarted} cycles due never started`] : []),
    ...(late && late.p95 > 100 ? [`cycles started late by ${late.p50.toFixed(0)} ms (p50), ${late.p95.toFixed(0)} ms (p95)`] : []),
  ];
  return parts.length ? [`The storm fell behind its shape: ${parts.join("; ")} (a busy machine, or --concurrency holding starts while cycles were slow).`] : [];
}
