import type { ProbeRecording } from "./recording.js";

/** How long a stream may stay silent (or not start after connecting) before its session counts as dead. */
export const defaultMediaTimeoutMs = 3000;

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * Why a session's media counts as dead at `nowMs`, or null while it lives: a stream that carried no
 * RTP for `timeoutMs`, or none at all since the connection came up `timeoutMs` ago. With `final`
 * (the recording ended) a stream that never carried a packet is dead however short the run was.
 * Arrival times are the recording's own, so the verdict is what the probe saw.
 */
export function findDeadMedia(recording: ProbeRecording, nowMs: number, timeoutMs: number, final = false): string | null {
  const connectedAtMs = recording.connectedAtMs;
  if (connectedAtMs === null) return null;
  const never: string[] = [];
  const stopped: Array<{ kind: string; atMs: number }> = [];
  for (const kind of ["audio", "video"] as const) {
    // Packets are appended as they arrive, so the last one is the latest arrival.
    const lastMs = recording[kind].packets.at(-1)?.arrivalMs;
    if (lastMs === undefined) {
      if (final || nowMs - connectedAtMs >= timeoutMs) never.push(kind);
    } else if (nowMs - lastMs >= timeoutMs) stopped.push({ kind, atMs: lastMs - connectedAtMs });
  }
  if (never.length === 2) {
    return nowMs - connectedAtMs >= timeoutMs
      ? `no media received within ${seconds(timeoutMs)} of connecting`
      : `no media received in the ${seconds(nowMs - connectedAtMs)} recorded`;
  }
  if (never.length === 1) {
    const within = nowMs - connectedAtMs >= timeoutMs ? `within ${seconds(timeoutMs)} of connecting` : `in the ${seconds(nowMs - connectedAtMs)} recorded`;
    return `no ${never[0]} received ${within}${stopped.length ? "" : ` (${never[0] === "audio" ? "video" : "audio"} arrived)`}`;
  }
  if (stopped.length === 2) return `media stopped ${seconds(Math.max(stopped[0]!.atMs, stopped[1]!.atMs))} after connecting: no RTP for ${seconds(timeoutMs)}`;
  if (stopped.length === 1) return `${stopped[0]!.kind} stopped ${seconds(stopped[0]!.atMs)} after connecting: no RTP for ${seconds(timeoutMs)}`;
  return null;
}
