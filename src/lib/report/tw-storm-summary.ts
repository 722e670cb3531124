import type { LatencyPercentilesUs, TwStormProgress, TwStormResult } from "../storm/index.js";

function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length ? entries.map(([key, value]) => `${key} ${value}`).join(", ") : "none";
}

function formatLatency(name: string, latency: LatencyPercentilesUs): string {
  const ms = (us: number): string => (us / 1000).toFixed(us < 10_000 ? 2 : 1);
  return `${name} p50 ${ms(latency.p50)} / p95 ${ms(latency.p95)} / p99 ${ms(latency.p99)} ms (${latency.count})`;
}

/** One progress line for a terminal: phase, rate, TIME_WAIT and errors so far. */
export function formatTwStormProgress(progress: TwStormProgress): string {
  return `${progress.phase} ${progress.elapsedS.toFixed(0)} s  ${progress.ratePerS} cycles/s  ok ${progress.succeeded}  failed ${progress.failed}  TIME_WAIT ${progress.timeWait}  errors: ${formatCounts(progress.errors)}`;
}

function formatAccounting(accounting: TwStormResult["timeWait"]["accounting"]): string {
  const { held } = accounting;
  const parts: Array<[number, string]> = [
    [accounting.noPort, "got no port"],
    [accounting.refused, "refused"],
    [accounting.takenOver, "taken over by a reused port"],
    [accounting.recycled, "recycled by tcp_tw_reuse"],
    [accounting.expired, "expired"],
    [accounting.reset, "ended by an RST"],
    [accounting.overflow, "over tcp_max_tw_buckets"],
  ];
  const named = parts.filter(([count]) => count !== 0).map(([count, what]) => ` + ${count} ${what}`).join("");
  return `TIME_WAIT accounting: ${accounting.cycles} cycles = ${held.client + held.server} held (client ${held.client}, server ${held.server})${named}; unexplained ${accounting.unexplained}`;
}

function formatPrediction(predictions: TwStormResult["predictions"]): string {
  const holder = predictions.timeWaitHolder === "race" ? "either side holds TIME_WAIT" : `${predictions.timeWaitHolder} holds TIME_WAIT`;
  const failures =
    predictions.expectedPortFailures === null
      ? "port failures not predicted"
      : predictions.expectedPortFailures === 0
        ? "no connect() runs out of ports"
        : `${predictions.expectedPortFailures} EADDRNOTAVAIL from ${predictions.expectedFirstPortFailureS!.toFixed(2)} s`;
  return `prediction (${holder}, ${predictions.clientReusesTimeWait ? "tcp_tw_reuse on" : "no reuse"}, ${predictions.portRange} ports): peak ${predictions.expectedPeakTw} TIME_WAIT, ${predictions.steadyStateTw} at steady state; ${failures}; ${predictions.sustainableRatePerS.toFixed(0)} cycles/s let every TIME_WAIT live its 60 s`;
}

/** The short human summary of a storm, printed to stderr after the run. */
export function formatTwStormSummary(result: TwStormResult, folder: string): string {
  const { cycles, timeWait } = result;
  const lines = [
    `tw-storm ${result.complete ? "complete" : "INCOMPLETE (interrupted)"} — ${result.topology.kind} → ${result.topology.target}`,
    `cycles: ${cycles.succeeded} ok, ${cycles.failed} failed of ${cycles.started} started (${cycles.achievedRatePerS.toFixed(0)}/s over ${cycles.stormDurationS.toFixed(2)} s)`,
    `errors: ${formatCounts(result.errorsByErrno)}${cycles.firstFailureS === null ? "" : `; first failure at ${cycles.firstFailureS.toFixed(2)} s`}`,
    ...(result.latencyUs.connect.count + result.latencyUs.handshake.count > 0
      ? [`latency: ${formatLatency("connect", result.latencyUs.connect)}; ${formatLatency(result.config.protocol === "http" ? "response" : "handshake", result.latencyUs.handshake)}`]
      : []),
    `TIME_WAIT at storm end: client ${timeWait.atStormEnd.client}, server ${timeWait.atStormEnd.server}; drain ${timeWait.drainS === null ? "not measured" : `${timeWait.drainS.toFixed(1)} s after the last close${timeWait.drainResolutionS ? ` (readings ${timeWait.drainResolutionS.toFixed(1)} s apart)` : ""}`}`,
    formatAccounting(timeWait.accounting),
    formatPrediction(result.predictions),
    ...result.warnings.map((warning) => `WARNING: ${warning}`),
    `result: ${folder}/result.json`,
  ];
  return lines.join("\n");
}
