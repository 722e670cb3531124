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

/**
 * Which ICE candidates a peer gathers and pairs. `loopback`: 127.0.0.1 only, so nothing leaves the
 * host (the embedded target, the pusher, a target on this host). `network`: host candidates on every
 * interface (loopback too) and IPv6 where present, plus what the STUN/TURN servers give, for a
 * target elsewhere; `relay` pairs relayed candidates only (media provably through the TURN server).
 */
export type IceConfig =
  | { scope: "loopback" }
  | { scope: "network"; servers: IceServer[]; transport: "all" | "relay" }
  /** One address of this host only (`serve --host`): the peer's candidates and pairs are that address's. */
  | { scope: "address"; address: string };
export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}
export const loopbackIce: IceConfig = { scope: "loopback" };

/** Whether a URL's host is this machine's loopback (127.0.0.0/8, ::1, localhost): a target there needs no other candidates. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return isLoopbackHost(host);
}

/** Whether a host name or address (IPv6 with or without brackets) is this machine's loopback: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, "").toLowerCase();
  return /^127\.\d+\.\d+\.\d+$/.test(name) || name === "::1" || name === "localhost";
}

// Why each field: werift's default points at a public STUN server and leaves loopback out of the
// candidates (NOTES.md, werift); TCP candidates and IPv6 only slow gathering down on loopback.
// `iceServers: []` alone did not stop werift 0.25.2 asking stun.l.google.com (its ICE fell back to a
// built-in server): patches/werift+0.25.2.patch removes that fallback (test/lib/rtc/loopback-only.test.ts).
function peerConfig(videoCodecs: readonly VideoCodecName[], ice: IceConfig): RTCPeerConnectionConfig {
  const codecs = {
    audio: [useOPUS()],
    video: videoCodecs.flatMap((name) => videoCodecsOf[name]()),
  };
  if (ice.scope === "network") {
    return {
      iceServers: ice.servers,
      iceTransportPolicy: ice.transport,
      iceAdditionalHostAddresses: [loopbackAddress],
      bundlePolicy: "max-bundle",
      iceUseIpv4: true,
      iceUseIpv6: true,
      iceUseTcp: false,
      codecs,
    };
  }
  if (ice.scope === "address") {
    const ipv6 = ice.address.includes(":");
    return {
      iceServers: [],
      iceInterfaceAddresses: ipv6 ? { udp6: ice.address } : { udp4: ice.address },
      iceAdditionalHostAddresses: [ice.address],
      bundlePolicy: "max-bundle",
      iceUseIpv4: !ipv6,
      iceUseIpv6: ipv6,
      iceUseTcp: false,
      iceFilterCandidatePair: (pair) => pair.localCandidate.host === ice.address,
      codecs,
    };
  }
  return {
    iceServers: [],
    iceAdditionalHostAddresses: [loopbackAddress],
    bundlePolicy: "max-bundle",
    iceUseIpv4: true,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceFilterCandidatePair: (pair) => pair.remoteCandidate.host === loopbackAddress,
    codecs,
  };
}

/**
 * Creates a werift peer connection whose candidates `ice` decides (default loopback only). A
 * receiver offers every codec it decodes (`videoCodecs`, in order of preference); a sender lists the
 * one it sends.
 */
export function createPeer(opts: { videoCodecs?: readonly VideoCodecName[]; ice?: IceConfig } = {}): RTCPeerConnection {
  return new RTCPeerConnection(peerConfig(opts.videoCodecs ?? ["vp8"], opts.ice ?? loopbackIce));
}

/** Which candidates a server listening on `host` offers: 127.0.0.1 for loopback, else that address only. */
export function iceForHost(host: string): IceConfig {
  return isLoopbackHost(host) ? loopbackIce : { scope: "address", address: host };
}

/** A peer connection that only ever uses 127.0.0.1 candidates. */
export const createLoopbackPeer = (opts: { videoCodecs?: readonly VideoCodecName[] } = {}): RTCPeerConnection => createPeer(opts);

/** One end of the candidate pair that carried the media, as getStats names it. */
export interface IceCandidateEnd {
  type: string;
  address: string;
  port: number;
  protocol: string;
}
/** The nominated candidate pair: which path the media took (host, srflx, prflx or relay at each end). */
export interface IcePath {
  local: IceCandidateEnd;
  remote: IceCandidateEnd;
}

/** Reads the selected candidate pair from the peer's own stats, or null when none is selected yet. */
export async function selectedCandidatePair(pc: RTCPeerConnection): Promise<IcePath | null> {
  const stats = [...(await pc.getStats()).values()] as unknown as Array<Record<string, unknown>>;
  const byId = new Map(stats.map((s) => [s.id as string, s]));
  const transport = stats.find((s) => s.type === "transport" && typeof s.selectedCandidatePairId === "string");
  const pair = transport ? byId.get(transport.selectedCandidatePairId as string) : undefined;
  const local = pair ? byId.get(pair.localCandidateId as string) : undefined;
  const remote = pair ? byId.get(pair.remoteCandidateId as string) : undefined;
  if (!local || !remote) return null;
  const end = (c: Record<string, unknown>): IceCandidateEnd => ({
    type: String(c.candidateType),
    address: String(c.address),
    port: Number(c.port),
    protocol: String(c.protocol),
  });
  return { local: end(local), remote: end(remote) };
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
    const judge = (state: string): void => {
      if (state === "connected") settle();
      else if (state === "failed" || state === "closed") {
        const dtls = pc.getTransceivers()[0]?.sender.dtlsTransport?.state ?? "none";
        settle(new Error(`peer connection ${state} before it connected (ICE ${pc.iceConnectionState}, DTLS ${dtls})`));
      }
    };
    const sub = pc.connectionStateChange.subscribe(judge);
    // A connection that failed before anyone waited (ICE with no candidate pair at all) fails now, not at the timeout.
    judge(pc.connectionState);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
  });
}
