import type { LatencyPercentilesUs } from "./latency-summary.js";
import type { TwStormProgress } from "./tw-storm-runner.js";
import type { TwStormResult } from "./tw-storm-result.js";

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

/** The short human summary of a storm, printed to stderr after the run. */
export function formatTwStormSummary(result: TwStormResult, folder: string): string {
  const { cycles, timeWait, predictions } = result;
  const lines = [
    `tw-storm ${result.complete ? "complete" : "INCOMPLETE (interrupted)"} — ${result.topology.kind} → ${result.topology.target}`,
    `cycles: ${cycles.succeeded} ok, ${cycles.failed} failed of ${cycles.started} started (${cycles.achievedRatePerS.toFixed(0)}/s over ${cycles.stormDurationS.toFixed(1)} s)`,
    `errors: ${formatCounts(result.errorsByErrno)}${cycles.firstFailureS === null ? "" : `; first failure at ${cycles.firstFailureS.toFixed(2)} s`}`,
    ...(result.latencyUs.connect.count + result.latencyUs.handshake.count > 0
      ? [`latency: ${formatLatency("connect", result.latencyUs.connect)}; ${formatLatency(result.config.protocol === "http" ? "response" : "handshake", result.latencyUs.handshake)}`]
      : []),
    `TIME_WAIT at storm end: client ${timeWait.atStormEnd.client}, server ${timeWait.atStormEnd.server}; drain ${timeWait.drainS === null ? "not measured" : `${timeWait.drainS.toFixed(1)} s after the last close`}`,
    `prediction: ${predictions.steadyStateTw} TIME_WAIT at steady state (rate × 60 s); ${predictions.sustainableRatePerS.toFixed(0)} cycles/s sustainable with ${predictions.portRange} ports and no reuse`,
    ...result.warnings.map((warning) => `WARNING: ${warning}`),
    `result: ${folder}/result.json`,
  ];
  return lines.join("\n");
}
