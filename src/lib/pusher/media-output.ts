import type { RtcpPacket, RtpPacket } from "werift";

/** Where one stream's packets go: a werift RTCRtpSender in practice, anything that records them in tests. */
export interface MediaOutput {
  readonly ssrc: number;
  sendRtp(packet: RtpPacket): Promise<unknown>;
  sendRtcp(packets: RtcpPacket[]): Promise<unknown>;
}
