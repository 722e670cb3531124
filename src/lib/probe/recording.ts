/** One RTP packet as the probe saw it, with its arrival time on the probe's monotonic clock. */
export interface RecordedPacket {
  seq: number;
  rtpTs: number;
  marker: boolean;
  arrivalMs: number;
  payload: Buffer;
}

/** One RTCP Sender Report: the sender's NTP time (as Unix ms) for an RTP timestamp. */
export interface RecordedSenderReport {
  ntpMs: number;
  rtpTs: number;
  arrivalMs: number;
  packetCount: number;
}

export interface StreamRecording {
  ssrc: number | null;
  packets: RecordedPacket[];
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
}
