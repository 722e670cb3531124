import { createRtpUnwrapper, createSequenceUnwrapper } from "./rtp-unwrap.js";

// What the probe records per RTP packet: header fields plus our arrival time.
export interface ReceivedPacket {
  /** RTP sequence number, 16-bit as on the wire. */
  seq: number;
  /** RTP timestamp, 32-bit as on the wire. */
  rtpTs: number;
  arrivalMs: number;
  marker: boolean;
  payloadBytes: number;
}

// A received packet with both counters extended, as every per-stream measurement needs them.
export interface SequencedPacket {
  seq: number;
  rtpTs: number;
  arrivalMs: number;
  payloadBytes: number;
}

// One video picture or audio frame: what continuity and sync reason about.
export interface Frame {
  /** Extended (unwrapped) RTP timestamp. */
  rtpTs: number;
  /** Arrival of the frame's earliest-arriving packet. */
  arrivalMs: number;
  /** Extended sequence number of the frame's first packet. */
  firstSeq: number;
  packets: number;
  payloadBytes: number;
}

// Extends sequence numbers and timestamps in arrival order (the order the unwrappers must see)
// and drops duplicates, which would otherwise count twice in every figure.
export function sequencePackets(
  packets: readonly ReceivedPacket[],
  unwrapRtpTs: (ts32: number) => number,
): { unique: SequencedPacket[]; duplicates: number } {
  const unwrapSeq = createSequenceUnwrapper();
  const seen = new Set<number>();
  const unique: SequencedPacket[] = [];
  for (const p of packets) {
    const seq = unwrapSeq(p.seq);
    // Unwrapped even when duplicated, so the unwrapper keeps following the stream.
    const rtpTs = unwrapRtpTs(p.rtpTs);
    if (seen.has(seq)) continue;
    seen.add(seq);
    unique.push({ seq, rtpTs, arrivalMs: p.arrivalMs, payloadBytes: p.payloadBytes });
  }
  return { unique, duplicates: packets.length - unique.length };
}

// A frame is a run of packets sharing an RTP timestamp in sending (sequence) order, so network
// reordering neither splits a frame nor invents a backward timestamp step.
export function groupFrames(unique: readonly SequencedPacket[]): Frame[] {
  const frames: Frame[] = [];
  for (const p of [...unique].sort((a, b) => a.seq - b.seq)) {
    const current = frames[frames.length - 1];
    if (current && current.rtpTs === p.rtpTs) {
      current.arrivalMs = Math.min(current.arrivalMs, p.arrivalMs);
      current.packets += 1;
      current.payloadBytes += p.payloadBytes;
    } else {
      frames.push({ rtpTs: p.rtpTs, arrivalMs: p.arrivalMs, firstSeq: p.seq, packets: 1, payloadBytes: p.payloadBytes });
    }
  }
  return frames;
}

// The probe builds sync inputs from received packets; pass a SenderClock's `unwrap` so frame
// timestamps share that clock's extended space.
export function collectFrames(
  packets: readonly ReceivedPacket[],
  unwrapRtpTs: (ts32: number) => number = createRtpUnwrapper(),
): Frame[] {
  return groupFrames(sequencePackets(packets, unwrapRtpTs).unique);
}
