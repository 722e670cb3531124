import type { RTCRtpSender } from "werift";
import type { MediaOutput } from "../pusher/index.js";

/**
 * Adapts a werift sender to the pusher and silences werift's own Sender Reports, whose NTP
 * fraction is wrong (NOTES.md); the pusher sends correct ones through `sendRtcp`.
 */
export function senderOutput(sender: RTCRtpSender): MediaOutput {
  sender.rtcpRunning = true;
  return {
    ssrc: sender.ssrc,
    sendRtp: (packet) => sender.sendRtp(packet),
    sendRtcp: (packets) => sender.dtlsTransport.sendRtcp(packets),
  };
}
