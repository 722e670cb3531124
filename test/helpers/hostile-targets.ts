// Targets that misbehave the ways a real server can, on 127.0.0.1, for the gate's regression and
// fuzz tests: one that never answers, one that answers and then sends nothing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MediaStreamTrack, type RTCPeerConnection } from "werift";
import { WebSocketServer, type WebSocket } from "ws";
import { createLoopbackPeer } from "../../src/lib/rtc/index.js";

/** A running test server: its base address (`127.0.0.1:port`) and how to stop it. */
export interface TestServer {
  host: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 whose every request is handled by `handle`; WebSocket upgrades by `onSocket` when given. */
export async function startHttpServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  onSocket?: (socket: WebSocket, req: IncomingMessage) => void,
): Promise<TestServer & { server: Server }> {
  const server = createServer(handle);
  const wss = onSocket ? new WebSocketServer({ server }) : null;
  if (wss && onSocket) wss.on("connection", onSocket);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const client of wss?.clients ?? []) client.terminate();
      wss?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** WebSocket JSON signaling that accepts the offer and never answers. */
export function startSilentWsTarget(): Promise<TestServer & { server: Server }> {
  return startHttpServer((_req, res) => res.writeHead(404).end(), () => undefined);
}

/**
 * WebSocket JSON signaling with a real werift answerer that brings ICE and DTLS up (so the probe
 * connects) and never sends a packet: a session with no media.
 */
export function startMutedWsTarget(): Promise<TestServer & { server: Server }> {
  const peers = new Set<RTCPeerConnection>();
  return startHttpServer(
    (_req, res) => res.writeHead(404).end(),
    (socket) => {
      socket.once("message", async (data) => {
        const pc = createLoopbackPeer();
        peers.add(pc);
        socket.on("close", () => void pc.close());
        const offer = JSON.parse(data.toString()) as { sdp: string };
        await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
        for (const transceiver of pc.getTransceivers()) {
          transceiver.setDirection("sendonly");
          await transceiver.sender.replaceTrack(new MediaStreamTrack({ kind: transceiver.kind as "audio" | "video" }));
        }
        await pc.setLocalDescription(await pc.createAnswer());
        socket.send(JSON.stringify({ type: "answer", sdp: pc.localDescription!.sdp }));
      });
    },
  ).then((server) => ({
    ...server,
    close: async () => {
      await Promise.all([...peers].map((pc) => pc.close()));
      await server.close();
    },
  }));
}
