import { performance } from "node:perf_hooks";
import { RtcpSrPacket, type RTCPeerConnection } from "werift";
import { unixMsFromNtp } from "../analysis/index.js";
import { createLoopbackPeer, enlargeReceiveBuffers, readSocketDrops, videoCodecNames, waitConnected, type VideoCodecName } from "../rtc/index.js";
import type { SessionDescription } from "../signaling/index.js";
import type { ProbeRecording, RecordedCodec, StreamRecording } from "./recording.js";

/** How the probe reaches a target: send our offer, get its answer, and later hang up. */
export type Negotiate = (offer: SessionDescription) => Promise<{ answer: SessionDescription; close: () => void; sessionId?: string | null }>;

export interface ProbeOptions {
  negotiate: Negotiate;
  /** How long to record after the connection is up. */
  durationMs: number;
  /**
   * When the sender is known to stop (the embedded target's pushers), recording ends this long after
   * that instead, whenever that is within `durationMs`: a sender that started late is not cut short.
   */
  sendersDone?: { done: Promise<void>; drainMs: number };
  connectTimeoutMs?: number;
  /** Ends the recording early (Ctrl-C); what arrived so far is kept. */
  signal?: AbortSignal;
  /** Video codecs to offer, in order of preference; default every codec avsync decodes. */
  videoCodecs?: readonly VideoCodecName[];
  /** Hands out the live recording as soon as it exists, for progress reports. */
  onRecording?: (recording: ProbeRecording) => void;
}

const emptyStream = (): StreamRecording => ({ ssrc: null, codecs: [], packets: [], senderReports: [] });

/**
 * Receives one audio and one video stream over real WebRTC and records every RTP packet and Sender
 * Report with its arrival time. Arrival is taken in werift's onReceiveRtp, which fires synchronously
 * right after SRTP decryption.
 */
export async function recordProbeSession(options: ProbeOptions): Promise<ProbeRecording> {
  const recording: ProbeRecording = {
    startedAtMs: performance.now(),
    connectedAtMs: null,
    endedAtMs: null,
    sessionId: null,
    audio: emptyStream(),
    video: emptyStream(),
  };
  options.onRecording?.(recording);
  const pc: RTCPeerConnection = createLoopbackPeer({ videoCodecs: options.videoCodecs ?? videoCodecNames });
  let hangUp: (() => void) | undefined;
  let ports: number[] = [];
  try {
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.onTrack.subscribe((track) => {
      const stream = track.kind === "audio" ? recording.audio : recording.video;
      track.onReceiveRtp.subscribe((rtp) => {
        const arrivalMs = performance.now();
        stream.ssrc = rtp.header.ssrc;
        stream.packets.push({
          seq: rtp.header.sequenceNumber,
          rtpTs: rtp.header.timestamp,
          marker: rtp.header.marker,
          arrivalMs,
          payload: rtp.payload,
          payloadType: rtp.header.payloadType,
        });
      });
      track.onReceiveRtcp.subscribe((rtcp) => {
        if (!(rtcp instanceof RtcpSrPacket)) return;
        const ntp = rtcp.senderInfo.ntpTimestamp;
        stream.senderReports.push({
          ntpMs: unixMsFromNtp(Number(ntp >> 32n), Number(ntp & 0xffffffffn)),
          rtpTs: rtcp.senderInfo.rtpTimestamp,
          arrivalMs: performance.now(),
          packetCount: rtcp.senderInfo.packetCount,
        });
      });
    });
    await pc.setLocalDescription(await pc.createOffer());
    ports = enlargeReceiveBuffers(pc);
    const negotiated = await options.negotiate({ type: "offer", sdp: pc.localDescription!.sdp });
    hangUp = negotiated.close;
    recording.sessionId = negotiated.sessionId ?? null;
    await pc.setRemoteDescription(negotiated.answer);
    recording.audio.codecs = answeredCodecs(negotiated.answer.sdp, "audio");
    recording.video.codecs = answeredCodecs(negotiated.answer.sdp, "video");
    await waitConnected(pc, options.connectTimeoutMs ?? 10_000);
    recording.connectedAtMs = performance.now();
    await (options.sendersDone
      ? Promise.race([sleepUnlessAborted(options.durationMs, options.signal), options.sendersDone.done.then(() => sleepUnlessAborted(options.sendersDone!.drainMs, options.signal))])
      : sleepUnlessAborted(options.durationMs, options.signal));
    recording.endedAtMs = performance.now();
    return recording;
  } finally {
    recording.socketDrops = readSocketDrops(ports);
    hangUp?.();
    await pc.close();
  }
}

// The codecs of the answer's first m-section of a kind, as the server wrote them (RFC 8866 §6.6
// rtpmap, §6.15 fmtp): the server's own fmtp (H.264 sprop-parameter-sets) is what the decoder needs.
function answeredCodecs(sdp: string, kind: "audio" | "video"): RecordedCodec[] {
  const sections = sdp.split(/\r?\n(?=m=)/);
  const section = sections.find((s) => s.startsWith(`m=${kind} `));
  if (!section) return [];
  const fmtp = new Map<number, string>();
  for (const [, pt, params] of section.matchAll(/^a=fmtp:(\d+) (.*)$/gm)) fmtp.set(Number(pt), params!.trim());
  return [...section.matchAll(/^a=rtpmap:(\d+) ([^/\s]+)\/(\d+)(?:\/(\d+))?/gm)].map(([, pt, name, rate, channels]) => ({
    payloadType: Number(pt),
    mimeType: `${kind}/${name}`,
    clockRateHz: Number(rate),
    ...(channels === undefined ? {} : { channels: Number(channels) }),
    ...(fmtp.has(Number(pt)) ? { fmtp: fmtp.get(Number(pt))! } : {}),
  }));
}

/** Waits `ms`, or less when `signal` aborts first (Ctrl-C ends a recording early, keeping it). */
export function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
