import {
  RTCPeerConnection,
  useOPUS,
  useVP8,
  type RTCPeerConnectionConfig,
} from "werift";

/** Where peers may gather and pair candidates: loopback only, so no traffic ever leaves the host. */
export const loopbackAddress = "127.0.0.1";

// Why each field: werift's default points at a public STUN server and leaves loopback out of the
// candidates (NOTES.md, werift); TCP candidates and IPv6 only slow gathering down on loopback.
const loopbackConfig: RTCPeerConnectionConfig = {
  iceServers: [],
  iceAdditionalHostAddresses: [loopbackAddress],
  bundlePolicy: "max-bundle",
  iceUseIpv4: true,
  iceUseIpv6: false,
  iceUseTcp: false,
  iceFilterCandidatePair: (pair) => pair.remoteCandidate.host === loopbackAddress,
  codecs: {
    audio: [useOPUS()],
    video: [useVP8()],
  },
};

/** Creates a werift peer connection that only ever uses 127.0.0.1 candidates. */
export function createLoopbackPeer(): RTCPeerConnection {
  return new RTCPeerConnection(loopbackConfig);
}

/** Resolves once the peer's DTLS-secured connection is up; media written before that is dropped. */
export function waitConnected(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.connectionState === "connected") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.unSubscribe();
      reject(new Error(`peer connection not connected after ${timeoutMs} ms (state ${pc.connectionState})`));
    }, timeoutMs);
    const sub = pc.connectionStateChange.subscribe((state) => {
      if (state === "connected") {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      } else if (state === "failed" || state === "closed") {
        clearTimeout(timer);
        sub.unSubscribe();
        reject(new Error(`peer connection ${state} before it connected`));
      }
    });
  });
}
