import { RtcpSenderInfo, RtcpSrPacket } from "werift";
import { ntpFromUnixMs } from "../analysis/index.js";

/**
 * Builds an RFC 3550 §6.4.1 Sender Report whose NTP time comes from our own clock: werift's
 * built-in SR builds the NTP fraction from decimal digits (NOTES.md), which skews receivers.
 */
export function buildSenderReport(input: {
  ssrc: number;
  unixMs: number;
  rtpTs: number;
  packetCount: number;
  octetCount: number;
}): RtcpSrPacket {
  const { msw, lsw } = ntpFromUnixMs(input.unixMs);
  return new RtcpSrPacket({
    ssrc: input.ssrc,
    senderInfo: new RtcpSenderInfo({
      ntpTimestamp: (BigInt(msw) << 32n) | BigInt(lsw),
      rtpTimestamp: input.rtpTs >>> 0,
      packetCount: input.packetCount >>> 0,
      octetCount: input.octetCount >>> 0,
    }),
  });
}
