import { performance } from "node:perf_hooks";
import { MediaStreamTrack, RtcpSrPacket, type RTCPeerConnection } from "werift";
import { unixMsFromNtp } from "../analysis/index.js";
import { createPeer, enlargeReceiveBuffers, readSocketDrops, selectedCandidatePair, senderOutput, videoCodecNames, waitConnected, type IceConfig, type VideoCodecName } from "../rtc/index.js";
import type { ServerOffer, SessionDescription } from "../signaling/index.js";
import { quoteSnippet } from "../text/index.js";
import { defaultMediaTimeoutMs, findDeadMedia } from "./media-liveness.js";
import type { Microphone } from "./microphone.js";
import { PacketLog, PayloadSpill } from "./packet-log.js";
import type { ProbeRecording, RecordedCodec, StreamRecording } from "./recording.js";

/** How the probe reaches a target: send our offer, get its answer, and later hang up. */
export type Negotiate = (
  offer: SessionDescription,
) => Promise<{ answer: SessionDescription; close: () => void; sessionId?: string | null; dropped?: Promise<string> }>;

export interface ProbeOptions {
  /** Offer, get the answer (most targets); or `serverOffer`, exactly one of the two. */
  negotiate?: Negotiate;
  /** Ask the server for its offer and answer it (`--signaling-flow answer`, D-ID's shape). */
  serverOffer?: () => Promise<ServerOffer>;
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
  /** Which candidates to gather and pair (default 127.0.0.1 only). */
  ice?: IceConfig;
  /** Video codecs to offer, in order of preference; default every codec avsync decodes. */
  videoCodecs?: readonly VideoCodecName[];
  /** Hands out the live recording as soon as it exists, for progress reports. */
  onRecording?: (recording: ProbeRecording) => void;
  /** A stream silent this long, or not started this long after connecting, ends the session as failed (default 3 s). */
  mediaTimeoutMs?: number;
  /**
   * How long after connecting the sender is expected to send (default `durationMs`): silence after
   * that is the stream's planned end, not its death (the embedded target's pushers stop on time and
   * the recording waits for the last of them).
   */
  expectedMediaMs?: number;
  /** Offer audio `sendrecv` and speak on it (`bench --talk --talk-microphone`): started once connected. */
  microphone?: Microphone;
}

const emptyStream = (packets: PacketLog): StreamRecording => ({ ssrc: null, codecs: [], packets, senderReports: [] });

/**
 * Receives one audio and one video stream over real WebRTC and records every RTP packet and Sender
 * Report with its arrival time. Arrival is taken in werift's onReceiveRtp, which fires synchronously
 * right after SRTP decryption.
 */
export async function recordProbeSession(options: ProbeOptions): Promise<ProbeRecording> {
  // Both streams' payloads go to one file: memory holds only each packet's fixed fields.
  const spill = new PayloadSpill();
  const logs = { audio: new PacketLog(spill), video: new PacketLog(spill) };
  const audio = emptyStream(logs.audio);
  const video = emptyStream(logs.video);
  const recording: ProbeRecording = {
    startedAtMs: performance.now(),
    connectedAtMs: null,
    endedAtMs: null,
    sessionId: null,
    audio,
    video,
  };
  options.onRecording?.(recording);
  // A server that makes the offer names its STUN/TURN servers in it, and a peer takes them when made.
  const serverOffer = await options.serverOffer?.();
  const ice = withServerIceServers(options.ice, serverOffer?.iceServers ?? []);
  const pc: RTCPeerConnection = createPeer({ videoCodecs: options.videoCodecs ?? videoCodecNames, ...(ice ? { ice } : {}) });
  let hangUp: (() => void) | undefined = serverOffer?.close;
  let ports: number[] = [];
  try {
    pc.onTrack.subscribe((track) => {
      const stream = track.kind === "audio" ? audio : video;
      const packets = track.kind === "audio" ? logs.audio : logs.video;
      track.onReceiveRtp.subscribe((rtp) => {
        const arrivalMs = performance.now();
        stream.ssrc = rtp.header.ssrc;
        packets.push(rtp.header.sequenceNumber, rtp.header.timestamp, rtp.header.marker, arrivalMs, rtp.header.payloadType, rtp.payload);
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
    const negotiated = serverOffer ? await answerServerOffer(pc, serverOffer, !!options.microphone) : await offerToTarget(pc, options.negotiate!, !!options.microphone);
    ports = enlargeReceiveBuffers(pc);
    hangUp = negotiated.close;
    recording.sessionId = negotiated.sessionId ?? null;
    recording.audio.codecs = answeredCodecs(negotiated.answerSdp, "audio");
    recording.video.codecs = answeredCodecs(negotiated.answerSdp, "video");
    try {
      await waitConnected(pc, options.connectTimeoutMs ?? 10_000, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new Error(`${(error as Error).message}; ${describeCandidates(pc, negotiated.remoteSdp, ice)}`, { cause: error });
    }
    recording.connectedAtMs = performance.now();
    const videoReceiver = pc.getTransceivers().find((t) => t.kind === "video")?.receiver;
    recording.requestKeyframe = () => {
      if (videoReceiver && video.ssrc !== null) void videoReceiver.sendRtcpPLI(video.ssrc);
    };
    const microphoneSender = pc.getTransceivers().find((t) => t.kind === "audio" && t.direction === "sendrecv")?.sender;
    if (options.microphone && microphoneSender) options.microphone.start(senderOutput(microphoneSender));
    recording.icePath = await selectedCandidatePair(pc).catch(() => null);
    const death = await recordUntil(pc, recording, options, negotiated.dropped);
    recording.endedAtMs = performance.now();
    // A dead session's recording stays with the caller (onRecording) and is measured; the error says why it failed.
    const dead = death ?? findDeadMedia(recording, judgedAt(recording, options, recording.endedAtMs), options.mediaTimeoutMs ?? defaultMediaTimeoutMs, !options.signal?.aborted);
    if (dead) throw new Error(dead);
    return recording;
  } finally {
    delete recording.requestKeyframe;
    options.microphone?.stop();
    recording.socketDrops = readSocketDrops(ports);
    hangUp?.();
    await pc.close();
  }
}

/** What came of the signaling either way round: the target's SDP, the answer (whoever made it), and the session. */
interface Negotiated {
  remoteSdp: string;
  answerSdp: string;
  sessionId?: string | null;
  close: () => void;
  dropped?: Promise<string>;
}

// The usual way: the probe offers to receive one audio and one video stream (and to send audio,
// with a microphone); the target answers.
async function offerToTarget(pc: RTCPeerConnection, negotiate: Negotiate, microphone: boolean): Promise<Negotiated> {
  if (microphone) pc.addTransceiver(new MediaStreamTrack({ kind: "audio" }), { direction: "sendrecv" });
  else pc.addTransceiver("audio", { direction: "recvonly" });
  pc.addTransceiver("video", { direction: "recvonly" });
  await pc.setLocalDescription(await pc.createOffer());
  const negotiated = await negotiate({ type: "offer", sdp: pc.localDescription!.sdp });
  const result = { remoteSdp: negotiated.answer.sdp, answerSdp: negotiated.answer.sdp, sessionId: negotiated.sessionId, close: negotiated.close, ...(negotiated.dropped ? { dropped: negotiated.dropped } : {}) };
  try {
    await pc.setRemoteDescription(negotiated.answer);
  } catch (error) {
    negotiated.close();
    throw new Error(`the target's answer SDP could not be applied: ${quoteSnippet((error as Error).message || String(error), 200)}`, { cause: error });
  }
  return result;
}

// The server offered (D-ID's shape): the probe receives whatever it offers to send, and posts its answer.
async function answerServerOffer(pc: RTCPeerConnection, serverOffer: ServerOffer, microphone: boolean): Promise<Negotiated> {
  try {
    await pc.setRemoteDescription(serverOffer.offer);
  } catch (error) {
    throw new Error(`the target's offer SDP could not be applied: ${quoteSnippet((error as Error).message || String(error), 200)}`, { cause: error });
  }
  for (const transceiver of pc.getTransceivers()) {
    if (microphone && transceiver.kind === "audio") {
      transceiver.setDirection("sendrecv");
      await transceiver.sender.replaceTrack(new MediaStreamTrack({ kind: "audio" }));
    } else {
      transceiver.setDirection("recvonly");
    }
  }
  await pc.setLocalDescription(await pc.createAnswer());
  const answerSdp = pc.localDescription!.sdp;
  await serverOffer.answer({ type: "answer", sdp: answerSdp });
  return { remoteSdp: serverOffer.offer.sdp, answerSdp, sessionId: serverOffer.sessionId, close: serverOffer.close };
}

// The server's STUN/TURN servers join the user's when the probe's ICE reaches beyond loopback; a
// loopback run asks none (nothing may leave the host), whatever the server names.
function withServerIceServers(ice: IceConfig | undefined, servers: ServerOffer["iceServers"]): IceConfig | undefined {
  if (ice?.scope !== "network" || servers.length === 0) return ice;
  return { ...ice, servers: [...ice.servers, ...servers] };
}

// What ICE had to work with when it never connected: the candidate types we gathered, those the
// target's answer offered, and the relay a TURN server should have given (none: wrong credentials,
// or the server unreachable).
function describeCandidates(pc: RTCPeerConnection, answerSdp: string, ice: IceConfig | undefined): string {
  const count = (types: string[]): string => {
    const byType = new Map<string, number>();
    for (const type of types) byType.set(type, (byType.get(type) ?? 0) + 1);
    return byType.size ? [...byType].map(([type, n]) => `${type}×${n}`).join(", ") : "none";
  };
  const local = pc.iceTransports[0]?.connection.localCandidates ?? [];
  // a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> (RFC 8839 §5.1)
  const offered = [...answerSdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ (\w+)/gm)];
  let text = `ICE candidates tried: ours ${count(local.map((c) => c.type))}, the target's ${count(offered.map((m) => m[2]!))}`;
  if (ice?.scope === "network") {
    const turn = ice.servers.find((server) => /^turns?:/.test(server.urls));
    if (turn && !local.some((c) => c.type === "relay")) {
      text += `; the TURN server ${turn.urls.replace(/\?.*$/, "")} gave no relay candidate (${turnRefusal(pc) ?? "wrong user or password, or not reachable"})`;
    }
  } else if (!offered.some((m) => m[1]!.startsWith("127."))) {
    text += " (a target on this host's loopback must offer a 127.0.0.1 candidate: docs/targets.md)";
  }
  return text;
}

// The error a TURN server answered our allocation with, e.g. "it answered 401 Unauthorized": werift
// (patches/werift+0.25.2.patch) keeps it as the connection's turnError; null when none came (a timeout).
function turnRefusal(pc: RTCPeerConnection): string | null {
  const error = (pc.iceTransports[0]?.connection as { turnError?: { response?: { getAttributeValue(name: string): unknown } } } | undefined)?.turnError;
  const code = error?.response?.getAttributeValue("ERROR-CODE");
  return Array.isArray(code) && typeof code[0] === "number" ? `it answered ${code[0]} ${String(code[1] ?? "").trim()}`.trim() : null;
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

// Liveness is judged up to the end of the media the sender planned, never beyond it.
function judgedAt(recording: ProbeRecording, options: ProbeOptions, nowMs: number): number {
  return Math.min(nowMs, recording.connectedAtMs! + (options.expectedMediaMs ?? options.durationMs));
}

// Once the server dropped the signaling connection, no packet for this long means it is gone: a
// target that only hung up its signaling keeps sending packets every 20–33 ms.
const droppedGraceMs = 500;

// Records for the planned duration, or until Ctrl-C, the media dies or the peer connection fails;
// returns why the media died, or null.
async function recordUntil(pc: RTCPeerConnection, recording: ProbeRecording, options: ProbeOptions, signalingDropped?: Promise<string>): Promise<string | null> {
  const timeoutMs = options.mediaTimeoutMs ?? defaultMediaTimeoutMs;
  const sinceConnected = (ms: number): string => `${((ms - recording.connectedAtMs!) / 1000).toFixed(1)} s after connecting`;
  let dropped: { atMs: number; why: string } | null = null;
  void signalingDropped?.then((why) => (dropped = { atMs: performance.now(), why }));
  let death: string | null = null;
  let wake!: () => void;
  const died = new Promise<void>((resolve) => (wake = resolve));
  const declare = (reason: string | null): void => {
    if (reason === null || death !== null) return;
    death = reason;
    wake();
  };
  // Cheap (the last packet of two lists), so often: a death is declared at most 100 ms late.
  const check = setInterval(() => {
    const nowMs = performance.now();
    declare(findDeadMedia(recording, judgedAt(recording, options, nowMs), timeoutMs));
    const lastMs = Math.max(recording.audio.packets.at(-1)?.arrivalMs ?? -Infinity, recording.video.packets.at(-1)?.arrivalMs ?? -Infinity);
    if (dropped && nowMs - dropped.atMs >= droppedGraceMs && lastMs < dropped.atMs) declare(`${dropped.why} ${sinceConnected(dropped.atMs)}, and no media came after it`);
  }, 100);
  const states = pc.connectionStateChange.subscribe((state) => {
    if (state === "failed" || state === "closed") declare(`peer connection ${state} ${sinceConnected(performance.now())}`);
  });
  // Whichever way the recording ends, the waits still pending end with it: a planned-duration timer
  // left running held the process up to the whole duration after bench had finished (9 s of 15 for
  // `bench --duration 3`, whose senders end first).
  const ended = new AbortController();
  const endOnAbort = (): void => ended.abort();
  if (options.signal?.aborted) ended.abort();
  else options.signal?.addEventListener("abort", endOnAbort, { once: true });
  const planned = options.sendersDone
    ? Promise.race([sleepUnlessAborted(options.durationMs, ended.signal), options.sendersDone.done.then(() => sleepUnlessAborted(options.sendersDone!.drainMs, ended.signal))])
    : sleepUnlessAborted(options.durationMs, ended.signal);
  try {
    await Promise.race([planned, died]);
  } finally {
    ended.abort();
    options.signal?.removeEventListener("abort", endOnAbort);
    clearInterval(check);
    states.unSubscribe();
  }
  return death;
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
