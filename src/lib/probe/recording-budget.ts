import { statfsSync } from "node:fs";
import { totalmem } from "node:os";
import { spillDirectory } from "./packet-log.js";

/** What one session's stream brings per second, for the recording's cost. */
export interface StreamRate {
  packetsPerS: number;
  payloadBytesPerS: number;
}

/**
 * The embedded target's pattern (320×180 VP8 at 30 fps and 20 ms Opus), measured on a 30 s run:
 * 49.8 + 29.9 packets and 1,889 + 3,840 payload bytes a second; rounded up.
 */
export const patternRate: StreamRate = { packetsPerS: 80, payloadBytesPerS: 6_000 };

/** What avsync assumes of a server it did not make: 1080p at 2.5 Mbit/s in 1,200-byte packets, and Opus. */
export const externalRate: StreamRate = { packetsPerS: 310, payloadBytesPerS: 320_000 };

/**
 * Memory a recorded packet takes: 21 bytes of typed-array columns and the heap's own bookkeeping,
 * measured 42.8 (test/lib/probe/packet-log.test.ts). Payloads are spilled to disk.
 */
export const recordedPacketMemoryBytes = 45;

/** How much of the machine one run's recordings may take. */
export const recordingShares = { memory: 0.25, disk: 0.8 } as const;

export interface RecordingEstimate {
  sessionMinutes: number;
  memoryBytes: number;
  diskBytes: number;
}

/** What `sessions` recordings of `durationS` cost at `rate`: columns in memory, payloads on disk. */
export function estimateRecording(sessions: number, durationS: number, rate: StreamRate): RecordingEstimate {
  const seconds = sessions * durationS;
  return { sessionMinutes: seconds / 60, memoryBytes: seconds * rate.packetsPerS * recordedPacketMemoryBytes, diskBytes: seconds * rate.payloadBytesPerS };
}

const gb = (bytes: number): string => `${(bytes / 1e9).toFixed(bytes < 1e10 ? 1 : 0)} GB`;

/**
 * Why a run of `sessions` × `durationS` would not fit this machine, or null: its recordings may take
 * a quarter of the memory and 80 % of the free disk where payloads spill (`$TMPDIR`, else /var/tmp).
 */
export function recordingOverBudget(
  sessions: number,
  durationS: number,
  rate: StreamRate,
  machine: { memoryBytes: number; freeDiskBytes: number; spillDirectory: string } = machineRoom(),
  /** Seconds of records held at once when fewer than the run's (`--segment`: about two segments). */
  heldS = durationS,
): string | null {
  const estimate = { ...estimateRecording(sessions, durationS, rate), memoryBytes: estimateRecording(sessions, heldS, rate).memoryBytes };
  const at = `${rate.packetsPerS} packets and ${((rate.payloadBytesPerS * 8) / 1e6).toFixed(rate.payloadBytesPerS < 125_000 ? 2 : 1)} Mbit/s a session`;
  const shorten = "lower --sessions or --duration";
  if (estimate.memoryBytes > machine.memoryBytes * recordingShares.memory) {
    return `${sessions} sessions × ${durationS} s would keep about ${gb(estimate.memoryBytes)} of packet records in memory (${at}), more than a quarter of this machine's ${gb(machine.memoryBytes)}; ${shorten}.`;
  }
  if (estimate.diskBytes > machine.freeDiskBytes * recordingShares.disk) {
    return `${sessions} sessions × ${durationS} s would spill about ${gb(estimate.diskBytes)} of payloads to ${machine.spillDirectory} (${at}), which has ${gb(machine.freeDiskBytes)} free; ${shorten}, or point TMPDIR at a larger disk.`;
  }
  return null;
}

function machineRoom(): { memoryBytes: number; freeDiskBytes: number; spillDirectory: string } {
  const directory = spillDirectory();
  const fs = statfsSync(directory);
  return { memoryBytes: totalmem(), freeDiskBytes: fs.bavail * fs.bsize, spillDirectory: directory };
}
