import { EventEmitter } from "node:events";
import { MediaStreamTrack } from "werift";
import { encodeTestPattern } from "../media/index.js";
import { PusherSession } from "../pusher/index.js";
import { createLoopbackPeer, enlargeReceiveBuffers, senderOutput, waitConnected } from "../rtc/index.js";
import { defaultSignalingOptions, negotiateOverWhxp, type SignalingOptions } from "../signaling/index.js";
import type { EmbeddedTarget, EmbeddedTargetOptions, TargetSession } from "./embedded-target.js";

/** Where and how the pusher publishes when a relay (media server, SFU) sits between it and the probe. */
export interface WhipPublishOptions extends EmbeddedTargetOptions {
  /** The relay's WHIP endpoint (plain http(s) URL). */
  publishUrl: string;
  signaling?: Partial<SignalingOptions>;
}

/**
 * Publishes the test pattern to a relay with WHIP (RFC 9725) and pushes it with the same pusher
 * the embedded target uses, so a relay in the path is measured end to end. It looks like an
 * embedded target with one session: `url` is the WHIP endpoint, the session starts once connected.
 */
export async function startWhipPublisher(options: WhipPublishOptions): Promise<EmbeddedTarget> {
  const pattern = await encodeTestPattern({
    ...options.pattern,
    contentOffsetMs: options.injections.contentOffsetMs,
    allKeyframes: options.mode === "seed" || options.injections.dropVideoFrames.length > 0,
  });
  const events = new EventEmitter<{ session: [TargetSession]; sessionError: [Error] }>();
  const sessions: TargetSession[] = [];
  const pc = createLoopbackPeer({ videoCodecs: [pattern.options.videoCodec] });
  const audio = pc.addTransceiver(new MediaStreamTrack({ kind: "audio" }), { direction: "sendonly" });
  const video = pc.addTransceiver(new MediaStreamTrack({ kind: "video" }), { direction: "sendonly" });
  const outputs = { audio: senderOutput(audio.sender), video: senderOutput(video.sender) };
  let hangUp: (() => void) | undefined;
  try {
    await pc.setLocalDescription(await pc.createOffer());
    enlargeReceiveBuffers(pc);
    const negotiated = await negotiateOverWhxp(options.publishUrl, { type: "offer", sdp: pc.localDescription!.sdp }, { ...defaultSignalingOptions, ...options.signaling }, "WHIP");
    hangUp = negotiated.close;
    await pc.setRemoteDescription(negotiated.answer);
    await waitConnected(pc, options.connectTimeoutMs ?? 10_000);
  } catch (error) {
    hangUp?.();
    await pc.close();
    throw error;
  }
  const started = new PusherSession({ mode: options.mode, pattern, injections: options.injections, durationS: options.sessionDurationS }, outputs);
  const session: TargetSession = { id: 1, stop: () => started.stop(), finished: started.done.then(() => started.report()) };
  sessions.push(session);
  started.start();
  // Listeners attach after this returns; the session event must not fire before they can hear it.
  setImmediate(() => events.emit("session", session));
  return Object.assign(events, {
    url: options.publishUrl,
    pattern: pattern.options,
    sessions,
    async close(): Promise<void> {
      started.stop();
      hangUp?.();
      await pc.close();
    },
  });
}
