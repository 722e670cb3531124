import { Vp8RtpPayload } from "werift";
import type { RecordedPacket } from "./recording.js";

/** One video frame put back together from its RTP packets (RFC 7741 §4.5). */
export interface AssembledFrame {
  rtpTs: number;
  /** Arrival of the frame's first packet: when its first byte reached the probe. */
  firstArrivalMs: number;
  /** Arrival of its last packet: when it could first be decoded. */
  completeArrivalMs: number;
  keyframe: boolean;
  /** False when a packet of the frame is missing: such a frame is not handed to the decoder. */
  complete: boolean;
  data: Buffer;
}

/** Groups VP8 RTP packets by timestamp, orders them by sequence number and strips the payload descriptors. */
export function assembleVp8Frames(packets: readonly RecordedPacket[]): AssembledFrame[] {
  const byTs = new Map<number, RecordedPacket[]>();
  for (const packet of packets) {
    const group = byTs.get(packet.rtpTs);
    if (group) group.push(packet);
    else byTs.set(packet.rtpTs, [packet]);
  }
  const frames: AssembledFrame[] = [];
  for (const [rtpTs, group] of byTs) {
    const unique = [...new Map(group.map((p) => [p.seq, p])).values()];
    unique.sort((a, b) => seqDiff(a.seq, b.seq));
    const parts = unique.map((p) => Vp8RtpPayload.deSerialize(p.payload));
    const contiguous = unique.every((p, i) => i === 0 || seqDiff(unique[i - 1]!.seq, p.seq) === 1);
    const complete = contiguous && parts[0]!.sBit === 1 && parts[0]!.pid === 0 && unique[unique.length - 1]!.marker;
    frames.push({
      rtpTs,
      firstArrivalMs: Math.min(...group.map((p) => p.arrivalMs)),
      completeArrivalMs: Math.max(...group.map((p) => p.arrivalMs)),
      keyframe: parts[0]!.isKeyframe,
      complete,
      data: Buffer.concat(parts.map((p) => p.payload)),
    });
  }
  frames.sort((a, b) => a.firstArrivalMs - b.firstArrivalMs);
  return frames;
}

// Signed distance from a to b in 16-bit sequence space.
function seqDiff(a: number, b: number): number {
  return ((((b - a) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}
