import { AV1Obu, AV1RtpPayload, H264RtpPayload, Vp9RtpPayload } from "werift";
import { createSequenceUnwrapper } from "../analysis/index.js";
import type { VideoCodecName } from "../rtc/index.js";
import type { RecordedPacket } from "./recording.js";

/** One video frame put back together from its RTP packets, in the form its decoder reads. */
export interface AssembledFrame {
  rtpTs: number;
  /** Extended sequence number of the frame's first packet: sending order, which is decoding order. */
  firstSeq: number;
  /** Arrival of the frame's first packet: when its first byte reached the probe. */
  firstArrivalMs: number;
  /** Arrival of its last packet: when it could first be decoded. */
  completeArrivalMs: number;
  keyframe: boolean;
  /** False when a packet of the frame is missing: such a frame is not handed to the decoder. */
  complete: boolean;
  /** VP8/VP9: the frame; H.264: the access unit in Annex B; AV1: the temporal unit, every OBU sized. */
  data: Buffer;
}

/** What the depacketizer of one codec makes of one frame's packets (in sequence order). */
interface Depacketized {
  /** The first packet starts the frame and the last one ends it (packets in between may still be missing). */
  whole: boolean;
  keyframe: boolean;
  data: Buffer;
}

/**
 * Groups a video stream's RTP packets by timestamp, orders them by sequence number and strips
 * each codec's payload format: VP8 (RFC 7741), H.264 (RFC 6184, modes 0 and 1), VP9 (RFC 9628),
 * AV1 (AV1 RTP spec). `h264ParameterSets` (from the SDP's sprop-parameter-sets) go in front of
 * every keyframe that lacks its own, so a decoder can start from it. A codec avsync does not
 * know (null) still gives frames (for timing) that are never complete.
 */
export function assembleVideoFrames(
  packets: readonly RecordedPacket[],
  codec: VideoCodecName | null,
  opts: { h264ParameterSets?: readonly Buffer[] } = {},
): AssembledFrame[] {
  const unwrapSeq = createSequenceUnwrapper();
  const extendedSeq = new Map(packets.map((p) => [p, unwrapSeq(p.seq)]));
  const byTs = new Map<number, RecordedPacket[]>();
  for (const packet of packets) {
    const group = byTs.get(packet.rtpTs);
    if (group) group.push(packet);
    else byTs.set(packet.rtpTs, [packet]);
  }
  const frames: AssembledFrame[] = [];
  for (const [rtpTs, group] of byTs) {
    const unique = [...new Map(group.map((p) => [p.seq, p])).values()];
    unique.sort((a, b) => seqDiff(b.seq, a.seq));
    const contiguous = unique.every((p, i) => i === 0 || seqDiff(unique[i - 1]!.seq, p.seq) === 1);
    let frame: Depacketized;
    try {
      frame = codec === null ? unknownCodec : depacketize(codec, unique, opts.h264ParameterSets ?? []);
    } catch {
      // A malformed payload is a frame the decoder must not see, like a lost one.
      frame = { whole: false, keyframe: false, data: Buffer.alloc(0) };
    }
    frames.push({
      rtpTs,
      firstSeq: Math.min(...unique.map((p) => extendedSeq.get(p)!)),
      firstArrivalMs: Math.min(...group.map((p) => p.arrivalMs)),
      completeArrivalMs: Math.max(...group.map((p) => p.arrivalMs)),
      keyframe: frame.keyframe,
      complete: contiguous && frame.whole && unique.at(-1)!.marker && frame.data.length > 0,
      data: frame.data,
    });
  }
  frames.sort((a, b) => a.firstArrivalMs - b.firstArrivalMs);
  return frames;
}

const unknownCodec: Depacketized = { whole: false, keyframe: false, data: Buffer.alloc(0) };

function depacketize(codec: VideoCodecName, packets: readonly RecordedPacket[], parameterSets: readonly Buffer[]): Depacketized {
  switch (codec) {
    case "vp8":
      return depacketizeVp8(packets);
    case "h264":
      return depacketizeH264(packets, parameterSets);
    case "vp9":
      return depacketizeVp9(packets);
    case "av1":
      return depacketizeAv1(packets);
  }
}

// RFC 7741 §4.2: X|R|N|S|R|PID, then (X) I|L|T|K|RSV, (I) a 7- or 15-bit picture id, (L)
// TL0PICIDX, (T or K) TID|Y|KEYIDX. A frame starts at S=1 with partition 0; libvpx senders may
// split a frame over partitions and packets, each later one carrying S=0 or another PID.
function vp8DescriptorLength(payload: Buffer): number {
  let offset = 1;
  if (payload[0]! & 0x80) {
    const ext = payload[offset++]!;
    if (ext & 0x80) offset += payload[offset]! & 0x80 ? 2 : 1;
    if (ext & 0x40) offset += 1;
    if (ext & 0x30) offset += 1;
  }
  if (offset >= payload.length) throw new RangeError("VP8 payload descriptor runs past the packet");
  return offset;
}

function depacketizeVp8(packets: readonly RecordedPacket[]): Depacketized {
  const first = packets[0]!.payload;
  const start = (first[0]! & 0x10) !== 0 && (first[0]! & 0x07) === 0;
  const parts = packets.map((p) => p.payload.subarray(vp8DescriptorLength(p.payload)));
  // RFC 7741 §4.3: the VP8 payload header's P bit (inverse keyframe flag) is bit 0 of its first octet.
  return { whole: start, keyframe: start && (parts[0]![0]! & 0x01) === 0, data: Buffer.concat(parts) };
}

const nalTypeSps = 7;
const nalTypeFuA = 28;
const annexBStartCode = Buffer.from([0, 0, 0, 1]);

// werift's H264RtpPayload reads single NAL units, STAP-A and FU-A and writes Annex B; a new
// fragmented unit must not inherit the bytes of one whose end was lost, so S=1 restarts it.
function depacketizeH264(packets: readonly RecordedPacket[], parameterSets: readonly Buffer[]): Depacketized {
  const nals: Buffer[] = [];
  let fragment: Buffer | undefined;
  let whole = true;
  let keyframe = false;
  let hasSps = false;
  packets.forEach((packet, i) => {
    const type = packet.payload[0]! & 0x1f;
    const fuStart = type === nalTypeFuA && (packet.payload[1]! & 0x80) !== 0;
    if (type === nalTypeFuA && !fuStart && fragment === undefined) whole = false;
    const unit = H264RtpPayload.deSerialize(packet.payload, fuStart ? undefined : fragment);
    fragment = unit.fragment;
    if (i === 0 && type === nalTypeFuA && !fuStart) whole = false;
    if (unit.isKeyframe) keyframe = true;
    const types = type === 24 ? unit.aggregatedNalUnitTypes : [type === nalTypeFuA ? unit.nalUnitPayloadType : type];
    if (types.includes(nalTypeSps)) hasSps = true;
    if (unit.payload) nals.push(unit.payload);
  });
  if (fragment !== undefined) whole = false;
  if (keyframe && !hasSps && parameterSets.length > 0) nals.unshift(...parameterSets.map((set) => Buffer.concat([annexBStartCode, set])));
  return { whole, keyframe: keyframe && (hasSps || parameterSets.length > 0), data: Buffer.concat(nals) };
}

function depacketizeVp9(packets: readonly RecordedPacket[]): Depacketized {
  const parts = packets.map((p) => Vp9RtpPayload.deSerialize(p.payload));
  const first = parts[0]!;
  return {
    whole: first.bBit === 1 && parts.at(-1)!.eBit === 1,
    keyframe: first.bBit === 1 && first.pBit === 0,
    data: Buffer.concat(parts.map((p) => p.payload)),
  };
}

// A temporal delimiter (OBU type 2, sized 0) opens every temporal unit of a low-overhead AV1
// bitstream (AV1 spec §7.5); the RTP format drops it, decoders reading a file expect it.
const av1TemporalDelimiter = Buffer.from([0x12, 0x00]);

function depacketizeAv1(packets: readonly RecordedPacket[]): Depacketized {
  const parts = packets.map((p) => AV1RtpPayload.deSerialize(p.payload));
  const first = parts[0]!;
  // OBU elements are joined across packets as the AV1 RTP spec §4.3 says (an element continues
  // while Y is set); each OBU then gets its size field back, as a file-style decoder needs.
  const obus: Buffer[] = [];
  let pending: Buffer[] = [];
  for (const element of parts.flatMap((p) => p.obu_or_fragment)) {
    if (!element.isContinuation) pending = [];
    pending.push(element.data);
    if (element.continues) continue;
    const obu = AV1Obu.deSerialize(Buffer.concat(pending));
    pending = [];
    if (obu.obu_type === "OBU_TEMPORAL_DELIMITER") continue;
    obu.obu_has_size_field = 1;
    obus.push(obu.serialize());
  }
  return {
    whole: first.zBit_RtpStartsWithFragment === 0 && parts.at(-1)!.yBit_RtpEndsWithFragment === 0,
    keyframe: first.nBit_RtpStartsNewCodedVideoSequence === 1,
    data: obus.length ? Buffer.concat([av1TemporalDelimiter, ...obus]) : Buffer.alloc(0),
  };
}

// Signed distance from a to b in 16-bit sequence space.
function seqDiff(a: number, b: number): number {
  return ((((b - a) & 0xffff) + 0x8000) & 0xffff) - 0x8000;
}
