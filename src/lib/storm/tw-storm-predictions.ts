import { expectedTimeWaitHolder, type CloseMode } from "./close-mode.js";
import { createLoadShape, meanRatePerS, type LoadShapeSpec } from "./load-shape.js";

/** TCP_TIMEWAIT_LEN: how long a TIME_WAIT lives on Linux, in seconds; not tunable (docs/tw-storm.md). */
export const timeWaitLifetimeS = 60;

/** What a storm is predicted to do before it runs: the plan, read against the sysctls in force. */
export interface TwStormPredictions {
  /** The planned mean rate (cycles/s) over the time the planned cycles need. */
  meanRatePerS: number;
  /** The client's ephemeral ports (ip_local_port_range): one per 4-tuple to the one destination. */
  portRange: number;
  /** Which side the close mode makes hold TIME_WAIT (`race` for ws's close(), where either side may). */
  timeWaitHolder: "client" | "server" | "race";
  /** connect() may take over the client's own TIME_WAIT ports: tcp_tw_reuse=1 (or 2 to a loopback address), with timestamps on both sides. */
  clientReusesTimeWait: boolean;
  /** How long a client port stays unusable after its cycle: 60 s in the client's TIME_WAIT, tcp_tw_reuse_delay with reuse, 0 when the server holds TIME_WAIT; null for a race. */
  portBlockedS: number | null;
  /** The highest rate at which every TIME_WAIT can live its 60 s without its port being needed again: port range ÷ 60 s. */
  sustainableRatePerS: number;
  /** TIME_WAIT a storm at the mean rate settles at: rate × 60 s, but never more than the client ports it uses (each TIME_WAIT holds one 4-tuple; half the range when the server holds them) or tcp_max_tw_buckets. */
  steadyStateTw: number;
  /** The most TIME_WAIT this storm can hold at once: the planned cycles that find a port within any 60 s, within the same two caps. */
  expectedPeakTw: number;
  /** Planned cycles whose connect() finds no free port (EADDRNOTAVAIL); null for a race. */
  expectedPortFailures: number | null;
  /** Seconds from the storm's start to the first such connect(); null when none is expected or for a race. */
  expectedFirstPortFailureS: number | null;
}

/** What the predictions are made from: the storm's plan and the sysctls of both namespaces. */
export interface TwStormPlan {
  shape: LoadShapeSpec;
  cycles: number;
  durationS: number;
  closeMode: CloseMode;
  sysctls: { client: Record<string, string>; server: Record<string, string> };
  /** The destination is a loopback address, where tcp_tw_reuse=2 reuses TIME_WAIT. */
  loopbackDestination: boolean;
}

const defaultPortRange = "32768 60999";

/** Ports in an `ip_local_port_range` value ("low high"). */
export function portRangeSize(range: string | undefined): number {
  const [low, high] = (range ?? defaultPortRange).split(/\s+/).map(Number) as [number, number];
  return high - low + 1;
}

function clientReusesTimeWait(plan: TwStormPlan): boolean {
  const reuse = plan.sysctls.client["net.ipv4.tcp_tw_reuse"] ?? "2";
  // The TIME_WAIT must have seen the peer's timestamps (tcp_twsk_unique), so both ends need them on.
  const timestamps = [plan.sysctls.client, plan.sysctls.server].every((sysctls) => (sysctls["net.ipv4.tcp_timestamps"] ?? "1") !== "0");
  return timestamps && (reuse === "1" || (reuse === "2" && plan.loopbackDestination));
}

// The client's pump starts what is due every millisecond, up to the cycle count and before the duration bound.
function plannedStartTimesMs(plan: TwStormPlan): number[] {
  const shape = createLoadShape(plan.shape);
  const starts: number[] = [];
  for (let tickMs = 0; tickMs < plan.durationS * 1000 && starts.length < plan.cycles; tickMs += 1) {
    const due = Math.min(plan.cycles, Math.floor(shape.cyclesDueBy(tickMs / 1000) + 1e-9));
    while (starts.length < due) starts.push(tickMs);
  }
  return starts;
}

/** Predicts what the storm's port range, close mode and tcp_tw_reuse allow, assuming each cycle takes no time. */
export function predictTwStorm(plan: TwStormPlan): TwStormPredictions {
  const plannedMeanS = Math.min(plan.durationS, plan.cycles / Math.max(meanRatePerS(plan.shape, plan.durationS), 1e-9));
  const meanRate = meanRatePerS(plan.shape, plannedMeanS);
  const portRange = portRangeSize(plan.sysctls.client["net.ipv4.ip_local_port_range"]);
  const holder = expectedTimeWaitHolder(plan.closeMode);
  const reuses = clientReusesTimeWait(plan);
  const reuseDelayS = Number(plan.sysctls.client["net.ipv4.tcp_tw_reuse_delay"] ?? 1000) / 1000;
  const portBlockedS = holder === "race" ? null : holder === "server" ? 0 : reuses ? reuseDelayS : timeWaitLifetimeS;
  const buckets = (side: "client" | "server"): number => Number(plan.sysctls[side]["net.ipv4.tcp_max_tw_buckets"] ?? Infinity);
  // Each TIME_WAIT holds one 4-tuple, i.e. one client port. connect() tries the ports of the range's low end's
  // parity first (__inet_hash_connect) and, with the server holding TIME_WAIT, always finds one of those free:
  // so a server-held TIME_WAIT storm uses only that half of the range (measured: 50 ports of 100).
  const portsUsed = holder === "server" ? Math.ceil(portRange / 2) : portRange;
  const twCap = Math.min(portsUsed, holder === "race" ? buckets("client") + buckets("server") : buckets(holder));

  // Each connect() takes a port that the connects of the last `portBlockedS` have not left blocked.
  const blockedMs = Math.round((portBlockedS ?? 0) * 1000);
  const lifetimeMs = timeWaitLifetimeS * 1000;
  let failures = 0;
  let firstFailureMs: number | null = null;
  const connectedMs: number[] = [];
  let blockedFrom = 0;
  for (const tMs of plannedStartTimesMs(plan)) {
    while (blockedFrom < connectedMs.length && connectedMs[blockedFrom]! <= tMs - blockedMs) blockedFrom += 1;
    if (blockedMs > 0 && connectedMs.length - blockedFrom >= portRange) {
      failures += 1;
      firstFailureMs ??= tMs;
    } else connectedMs.push(tMs);
  }
  // A TIME_WAIT lives 60 s, so the most held at once are the connects of any 60 s.
  let peak = 0;
  for (let first = 0, last = 0; last < connectedMs.length; last += 1) {
    while (connectedMs[first]! <= connectedMs[last]! - lifetimeMs) first += 1;
    peak = Math.max(peak, last - first + 1);
  }
  return {
    meanRatePerS: meanRate,
    portRange,
    timeWaitHolder: holder,
    clientReusesTimeWait: reuses,
    portBlockedS,
    sustainableRatePerS: portRange / timeWaitLifetimeS,
    steadyStateTw: Math.round(Math.min(meanRate * timeWaitLifetimeS, twCap)),
    expectedPeakTw: Math.min(peak, twCap),
    expectedPortFailures: holder === "race" ? null : failures,
    expectedFirstPortFailureS: holder === "race" || firstFailureMs === null ? null : firstFailureMs / 1000,
  };
}
