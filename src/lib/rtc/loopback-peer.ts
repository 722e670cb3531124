import {
  RTCPeerConnection,
  useAV1,
  useH264,
  useOPUS,
  useVP8,
  useVP9,
  type RTCPeerConnectionConfig,
  type RTCRtpCodecParameters,
} from "werift";

/** Where peers may gather and pair candidates: loopback only, so no traffic ever leaves the host. */
export const loopbackAddress = "127.0.0.1";

import { videoCodecNames, type VideoCodecName } from "../media/index.js";

// H.264 in both packetization modes (RFC 6184 §6.2): mode 1 (STAP-A, FU-A) is what browsers and
// aiortc send, mode 0 (one NAL unit per packet) what some hardware encoders' gateways do. Baseline
// and constrained-baseline 3.1 as browsers offer; decoders take higher profiles all the same.
const h264Profiles = (): RTCRtpCodecParameters[] => [
  useH264({ parameters: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f" }),
  useH264({ parameters: "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f" }),
  useH264({ parameters: "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f" }),
];

const videoCodecsOf: Record<VideoCodecName, () => RTCRtpCodecParameters[]> = {
  vp8: () => [useVP8()],
  h264: h264Profiles,
  vp9: () => [useVP9()],
  av1: () => [useAV1()],
};

// Why each field: werift's default points at a public STUN server and leaves loopback out of the
// candidates (NOTES.md, werift); TCP candidates and IPv6 only slow gathering down on loopback.
// `iceServers: []` alone did not stop werift 0.25.2 asking stun.l.google.com (its ICE fell back to a
// built-in server): patches/werift+0.25.2.patch removes that fallback (test/lib/rtc/loopback-only.test.ts).
function loopbackConfig(videoCodecs: readonly VideoCodecName[]): RTCPeerConnectionConfig {
  return {
    iceServers: [],
    iceAdditionalHostAddresses: [loopbackAddress],
    bundlePolicy: "max-bundle",
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceFilterCandidatePair: (pair) => pair.remoteCandidate.host === loopbackAddress,
    codecs: {
      audio: [useOPUS()],
      video: videoCodecs.flatMap((name) => videoCodecsOf[name]()),
    },
  };
}

/**
 * Creates a werift peer connection that only ever uses 127.0.0.1 candidates. A receiver offers
 * every codec it decodes (`videoCodecs`, in order of preference); a sender lists the one it sends.
 */
export function createLoopbackPeer(opts: { videoCodecs?: readonly VideoCodecName[] } = {}): RTCPeerConnection {
  return new RTCPeerConnection(loopbackConfig(opts.videoCodecs ?? ["vp8"]));
}

/** Reads a codec name from an SDP/werift mime type (`video/H264` → `h264`); null for codecs avsync does not know. */
export function videoCodecNameOf(mimeType: string): VideoCodecName | null {
  const name = mimeType.toLowerCase().replace(/^video\//, "");
  return (videoCodecNames as readonly string[]).includes(name) ? (name as VideoCodecName) : null;
}
/** Resolves once the peer's DTLS-secured connection is up; media written before that is dropped. Aborting `signal` (Ctrl-C) rejects at once. */
export function waitConnected(pc: RTCPeerConnection, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  if (pc.connectionState === "connected") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      sub.unSubscribe();
      signal?.removeEventListener("abort", onAbort);
      if (error) reject(error);
      else resolve();
    };
    const onAbort = (): void => settle(new Error("interrupted while the peer connection was coming up"));
    const timer = setTimeout(() => settle(new Error(`peer connection not connected after ${timeoutMs} ms (state ${pc.connectionState})`)), timeoutMs);
    const sub = pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") settle();
      else if (state === "failed" || state === "closed") {
        const dtls = pc.getTransceivers()[0]?.sender.dtlsTransport?.state ?? "none";
        settle(new Error(`peer connection ${state} before it connected (ICE ${pc.iceConnectionState}, DTLS ${dtls})`));
      }
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
