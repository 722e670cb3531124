import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { httpServerCloses, type CloseMode } from "./close-mode.js";

/** How the embedded target behaves: it echoes `messages` messages, then closes when the mode makes it the closer. */
export interface StormServerConfig {
  host: string;
  port: number;
  protocol: "ws" | "http";
  closeMode: CloseMode;
  messages: number;
  /** Milliseconds to wait before answering an HTTP request or accepting a WebSocket upgrade. */
  delayMs?: number;
}

/** What the server side saw: the honest count of connections and requests, whatever the client tool reports. */
export interface StormServerStats {
  connections: number;
  requests: number;
  closeCodes: Record<string, number>;
}

/** A running embedded target. */
export interface StormServer {
  port: number;
  stats(): StormServerStats;
  close(): Promise<void>;
}

function attachWebSocketTarget(server: Server, config: StormServerConfig, stats: StormServerStats): void {
  const delayMs = config.delayMs ?? 0;
  const wss = new WebSocketServer({
    server,
    perMessageDeflate: false,
    clientTracking: false,
    ...(delayMs > 0 ? { verifyClient: (_info: unknown, accept: (ok: boolean) => void) => void setTimeout(() => accept(true), delayMs) } : {}),
  });
  wss.on("connection", (ws) => {
    stats.requests += 1;
    let echoed = 0;
    const closeNow = (): void => {
      if (config.closeMode === "server-terminate") ws.terminate();
      else if (config.closeMode === "server-close") ws.close(1000);
    };
    ws.on("error", () => {});
    ws.on("close", (code) => {
      stats.closeCodes[code] = (stats.closeCodes[code] ?? 0) + 1;
    });
    ws.on("message", (data) => {
      ws.send(data);
      echoed += 1;
      if (echoed >= config.messages) closeNow();
    });
    if (config.messages === 0) closeNow();
  });
}

/** Starts the storm's target: a ws echo server, or an HTTP server that counts every request it answers. */
export async function startStormServer(config: StormServerConfig): Promise<StormServer> {
  const stats: StormServerStats = { connections: 0, requests: 0, closeCodes: {} };
  const serverCloses = httpServerCloses(config.closeMode);
  const answer = (response: ServerResponse): void => {
    response.setHeader("content-type", "text/plain");
    if (serverCloses) response.setHeader("connection", "close");
    response.end("ok\n");
  };
  const server = createServer((request, response) => {
    stats.requests += 1;
    if (config.delayMs) setTimeout(() => answer(response), config.delayMs);
    else answer(response);
  });
  server.keepAliveTimeout = 60_000;
  server.on("connection", (socket) => {
    stats.connections += 1;
    socket.on("error", () => {});
  });
  if (config.protocol === "ws") attachWebSocketTarget(server, config, stats);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: config.host, port: config.port, backlog: 4096 }, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
