import { createServer, STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { EventEmitter } from "node:events";
import { MediaStreamTrack, type RTCPeerConnection } from "werift";
import { WebSocketServer, type WebSocket } from "ws";
import { encodeTestPattern, type PatternOptions } from "../media/index.js";
import { PusherSession, type Injections, type PusherMode, type PacingReport } from "../pusher/index.js";
import { createPeer, enlargeReceiveBuffers, iceForHost, senderOutput, waitConnected } from "../rtc/index.js";
import { maxSignalingBytes, parseSignalingMessage } from "../signaling/index.js";
import type { HeapFigures } from "../run/index.js";
import { quoteSnippet } from "../text/index.js";
import { refuseRequest, refuseUpgrade, type ConnectionPolicy } from "./connection-guard.js";
import { serveViewerPage } from "./viewer-route.js";

export interface EmbeddedTargetOptions {
  /** The address to listen on and offer media from (`serve --host`); default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  path?: string;
  mode: PusherMode;
  /** The test pattern; its content offset is `injections.contentOffsetMs`. */
  pattern: Omit<Partial<PatternOptions>, "contentOffsetMs">;
  injections: Injections;
  /** Each session pushes this long and then stops; undefined pushes until the viewer leaves. */
  sessionDurationS?: number;
  connectTimeoutMs?: number;
  /** Origins besides the target's own page whose scripts may open its WebSocket (`serve --allow-origin`). */
  allowedOrigins?: string[];
  /** WebSocket clients at once, waiting for their offer or streaming; more are turned away with 503. Default 20. */
  maxSessions?: number;
  /** A connection must send its HTTP request, and a WebSocket client its offer, within this long. Default 10 s. */
  handshakeTimeoutMs?: number;
}

// Enough for the sessions `bench` opens on a 2-core machine (docs/targets.md); `serve --max-sessions` changes it.
const defaultMaxSessions = 20;
const defaultHandshakeTimeoutMs = 10_000;
// A WebSocket whose peer stopped answering pings (gone without closing) is dropped after one more interval.
const heartbeatMs = 15_000;

/** One viewer of the embedded target: its pusher's pacing is the target-side half of a bench run. */
export interface TargetSession {
  id: number;
  /** Stops the session's pusher now (it also stops by itself after the session duration). */
  stop(): void;
  /** Resolves with the pacing report when the session's pusher stopped. */
  finished: Promise<PacingReport>;
}

export interface EmbeddedTarget extends EventEmitter<{ session: [TargetSession]; sessionError: [Error] }> {
  readonly url: string;
  /** The pattern every session pushes, as the probe needs it to find the markers. */
  readonly pattern: PatternOptions;
  readonly sessions: TargetSession[];
  /** The heap of the target's own thread as it last reported it, when it runs in one (null until then). */
  readonly heap?: () => HeapFigures | null;
  close(): Promise<void>;
}

/**
 * avsync's reference "digital human": the pusher behind WebSocket JSON signaling on loopback,
 * the architecture of the original design, one pusher per viewer.
 */
export async function startEmbeddedTarget(options: EmbeddedTargetOptions): Promise<EmbeddedTarget> {
  const host = options.host ?? "127.0.0.1";
  const path = options.path ?? "/ws";
  // A pre-encoded inter frame only decodes after the frame it was encoded against. Seed mode may
  // repeat or skip frames and a drop injection skips them, so both push keyframes only: a live
  // encoder that drops a frame encodes the next one against the last it sent, and so does this.
  const allKeyframes = options.mode === "seed" || options.injections.dropVideoFrames.length > 0;
  const pattern = await encodeTestPattern({ ...options.pattern, contentOffsetMs: options.injections.contentOffsetMs, allKeyframes });
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? defaultHandshakeTimeoutMs;
  const ice = iceForHost(host);
  let policy: ConnectionPolicy = { host, port: 0, allowedOrigins: options.allowedOrigins ?? [], maxSessions: options.maxSessions ?? defaultMaxSessions };
  const viewerPage = serveViewerPage({
    wsPath: path,
    pattern: pattern.options,
    pusher: options.mode,
    injections: options.injections,
  });
  const http: Server = createServer(
    // Slow or silent connections are cut: the request within the handshake timeout, checked each second.
    { headersTimeout: handshakeTimeoutMs, requestTimeout: handshakeTimeoutMs, connectionsCheckingInterval: 1000 },
    (req, res) => {
      const refusal = refuseRequest(req, policy);
      if (refusal) return void res.writeHead(refusal.status, { "content-type": "text/plain", connection: "close" }).end(`${refusal.message}\n`);
      viewerPage(req, res);
    },
  );
  // A connection that sends nothing at all is closed once it has been idle this long (an upgraded WebSocket leaves this timer).
  http.setTimeout(handshakeTimeoutMs);
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxSignalingBytes });
  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = refuseUpgrade(req, { ...policy, path, sessions: wss.clients.size });
    if (refusal) {
      const body = `${refusal.message}\n`;
      const reason = STATUS_CODES[refusal.status];
      socket.end(`HTTP/1.1 ${refusal.status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => wss.emit("connection", client, req));
  });
  // Whether each client answered the last ping.
  const answered = new WeakMap<WebSocket, boolean>();
  const heartbeat = setInterval(() => {
    for (const client of wss.clients) {
      if (answered.get(client) === false) client.terminate();
      else {
        answered.set(client, false);
        client.ping();
      }
    }
  }, heartbeatMs);
  heartbeat.unref();
  const peers = new Set<RTCPeerConnection>();
  const sessions: TargetSession[] = [];
  const events = new EventEmitter<{ session: [TargetSession]; sessionError: [Error] }>();
  let nextId = 1;

  wss.on("connection", (socket: WebSocket) => {
    let pc: RTCPeerConnection | undefined;
    let pusher: PusherSession | undefined;
    answered.set(socket, true);
    socket.on("pong", () => answered.set(socket, true));
    const noOffer = setTimeout(() => socket.close(1008, `no offer within ${handshakeTimeoutMs / 1000} s`), handshakeTimeoutMs);
    const end = (): void => {
      clearTimeout(noOffer);
      pusher?.stop();
      if (pc) {
        peers.delete(pc);
        void pc.close();
      }
    };
    socket.on("close", end);
    socket.on("error", end);
    socket.once("message", async (data) => {
      clearTimeout(noOffer);
      try {
        const offer = parseSignalingMessage(data.toString(), "offer");
        pc = createPeer({ videoCodecs: [pattern.options.videoCodec], ice });
        peers.add(pc);
        await pc.setRemoteDescription(offer);
        const outputs: Partial<Record<"audio" | "video", ReturnType<typeof senderOutput>>> = {};
        for (const transceiver of pc.getTransceivers()) {
          if (transceiver.kind !== "audio" && transceiver.kind !== "video") continue;
          transceiver.setDirection("sendonly");
          await transceiver.sender.replaceTrack(new MediaStreamTrack({ kind: transceiver.kind }));
          // One media stream (a=msid) for both tracks: browsers lip-sync only tracks of one stream,
          // and without it Chromium plays audio and video each on its own (docs/browser-probe.md).
          transceiver.sender.streamId = "avsync";
          outputs[transceiver.kind] = senderOutput(transceiver.sender);
        }
        if (!outputs.audio || !outputs.video) throw new Error("the offer must ask for one audio and one video stream");
        await pc.setLocalDescription(await pc.createAnswer());
        enlargeReceiveBuffers(pc);
        socket.send(JSON.stringify({ type: "answer", sdp: pc.localDescription!.sdp }));
        await waitConnected(pc, options.connectTimeoutMs ?? 10_000);
        if (socket.readyState !== socket.OPEN) return;
        pusher = new PusherSession(
          { mode: options.mode, pattern, injections: options.injections, durationS: options.sessionDurationS },
          { audio: outputs.audio, video: outputs.video },
        );
        const started = pusher;
        const session: TargetSession = { id: nextId++, stop: () => started.stop(), finished: started.done.then(() => started.report()) };
        sessions.push(session);
        pusher.start();
        events.emit("session", session);
      } catch (error) {
        events.emit("sessionError", error as Error);
        // A close reason carries at most 123 bytes.
        socket.close(1011, quoteSnippet((error as Error).message, 60));
        end();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === "EADDRINUSE" ? " Pick another with --port, or 0 for any free port." : error.code === "EADDRNOTAVAIL" ? " Is it an address of this machine (ip -br addr)?" : "";
      reject(new Error(`Could not listen on ${host}:${options.port ?? 0} (${error.code ?? error.message}).${hint}`, { cause: error }));
    });
    http.listen(options.port ?? 0, host, resolve);
  });
  const { port } = http.address() as AddressInfo;
  policy = { ...policy, port };

  return Object.assign(events, {
    url: `ws://${host.includes(":") ? `[${host}]` : host}:${port}${path}`,
    pattern: pattern.options,
    sessions,
    async close(): Promise<void> {
      clearInterval(heartbeat);
      for (const session of sessions) session.stop();
      for (const client of wss.clients) client.terminate();
      await Promise.all([...peers].map((peer) => peer.close()));
      peers.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  });
}
