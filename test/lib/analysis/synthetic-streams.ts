// Builds received packet streams from first principles for the analysis tests: the sender's
// schedule, its RTP clock, the network's delay, then arrival order.
import type { ReceivedPacket } from "../../../src/lib/analysis/index.js";

export const TWO_POW_32 = 2 ** 32;

// Seeded PRNG (mulberry32), so failures reproduce.
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  };
}

export interface StreamSpec {
  frames: number;
  stepTicks: number;
  /** Real time between frames as sent; a sender clock k ppm fast sends every frameMs / (1 + k·1e-6). */
  frameIntervalMs: number;
  packetsPerFrame?: number;
  baseTs: number;
  baseSeq: number;
  startMs?: number;
  delayMs?: number;
  /** Extra network delay of frame i (all its packets), in ms. */
  frameJitterMs?: (frameIndex: number) => number;
  /** Frame indexes the sender never sends (its RTP clock still advances). */
  skipFrames?: ReadonlySet<number>;
}

// Packets in arrival order.
export function synthesizeStream(spec: StreamSpec): ReceivedPacket[] {
  const packetsPerFrame = spec.packetsPerFrame ?? 1;
  const startMs = spec.startMs ?? 1000;
  const delayMs = spec.delayMs ?? 40;
  const packets: ReceivedPacket[] = [];
  let seq = spec.baseSeq;
  for (let i = 0; i < spec.frames; i++) {
    if (spec.skipFrames?.has(i)) continue;
    const sentMs = startMs + i * spec.frameIntervalMs;
    const rtpTs = (spec.baseTs + i * spec.stepTicks) % TWO_POW_32;
    const jitterMs = spec.frameJitterMs?.(i) ?? 0;
    for (let p = 0; p < packetsPerFrame; p++) {
      packets.push({
        seq: seq % 65536,
        rtpTs,
        // Packets of one frame leave back to back, 0.1 ms apart.
        arrivalMs: sentMs + delayMs + jitterMs + p * 0.1,
        marker: p === packetsPerFrame - 1,
        payloadBytes: 1000,
      });
      seq += 1;
    }
  }
  return packets.sort((a, b) => a.arrivalMs - b.arrivalMs);
}

export function videoStream(overrides: Partial<StreamSpec> = {}): ReceivedPacket[] {
  return synthesizeStream({ frames: 300, stepTicks: 3000, frameIntervalMs: 1000 / 30, packetsPerFrame: 3, baseTs: 0, baseSeq: 0, ...overrides });
}

export function audioStream(overrides: Partial<StreamSpec> = {}): ReceivedPacket[] {
  return synthesizeStream({ frames: 500, stepTicks: 960, frameIntervalMs: 20, baseTs: 0, baseSeq: 0, ...overrides });
}
