import type { IcePath } from "../rtc/index.js";
/** One RTP packet as the probe saw it, with its arrival time on the probe's monotonic clock. */
export interface RecordedPacket {
  seq: number;
  rtpTs: number;
  marker: boolean;
  arrivalMs: number;
  payload: Buffer;
  /** RTP payload type: which of the stream's negotiated codecs the packet carries (absent in recordings made before issue 17). */
  payloadType?: number;
}

/** One codec the answer negotiated for a stream, as its SDP said it. */
export interface RecordedCodec {
  payloadType: number;
  /** `video/H264`, `audio/opus` … as the SDP spelt it. */
  mimeType: string;
  clockRateHz: number;
  channels?: number;
  /** The a=fmtp parameters (H.264's packetization-mode, sprop-parameter-sets …). */
  fmtp?: string;
}

/** One RTCP Sender Report: the sender's NTP time (as Unix ms) for an RTP timestamp. */
export interface RecordedSenderReport {
  ntpMs: number;
  rtpTs: number;
  arrivalMs: number;
  packetCount: number;
}

/**
 * A stream's packets in arrival order: the probe's compact `PacketLog` (payloads spilled to
 * disk), or a plain array (recordings built by hand).
 */
export interface PacketSequence extends Iterable<RecordedPacket> {
  readonly length: number;
  at(index: number): RecordedPacket | undefined;
}

export interface StreamRecording {
  ssrc: number | null;
  /** The codecs the answer allowed for this stream (empty in recordings made before issue 17). */
  codecs?: RecordedCodec[];
  packets: PacketSequence;
  senderReports: RecordedSenderReport[];
}

/** Everything one probe session received, raw enough to measure again later. */
export interface ProbeRecording {
  startedAtMs: number;
  connectedAtMs: number | null;
  endedAtMs: number | null;
  /** The server's name for the session (`sessionid` in a JSON answer, the WHEP resource URL), if it gave one. */
  sessionId?: string | null;
  audio: StreamRecording;
  video: StreamRecording;
  /** Datagrams the kernel dropped at the probe's own sockets (receive buffer full): not the network's loss. */
  socketDrops?: number;
  /** The ICE candidate pair that carried the media, read from the peer's stats once connected. */
  icePath?: IcePath | null;
  /** Asks the sender for a video keyframe (RTCP PLI) while the session is live; absent before it connects. */
  requestKeyframe?: () => void;
}
