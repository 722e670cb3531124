import { connect, type NetConnectOpts, type Socket } from "node:net";
import WebSocket from "ws";
import type { CloseMode } from "./close-mode.js";

/** What one connect → messages → close cycle measured. */
export interface CycleOutcome {
  ok: boolean;
  connectUs?: number;
  /** The source port of the connection, and when it connected: the client's own record of its 4-tuples. */
  localPort?: number;
  portEpochMs?: number;
  handshakeUs?: number;
  closeCode?: number;
  errno?: string;
}

/** How a worker runs its cycles against one URL. */
export interface WsCycleOptions {
  url: string;
  closeMode: CloseMode;
  messages: number;
  timeoutMs: number;
}

// Errors that carry no errno get one that says what timed out or failed, so every failure lands in a bucket.
function errnoOf(error: Error & { code?: string }): string {
  if (error.code) return error.code;
  if (/handshake has timed out/i.test(error.message)) return "ETIMEDOUT";
  const status = /Unexpected server response: (\d+)/.exec(error.message);
  if (status) return `HTTP_${status[1]}`;
  return "EOTHER";
}

// RFC 6455 §7.1.1: the client waits for the server to close the TCP connection first. ws ends the socket
// as soon as both close frames crossed, on either side, so here the client's FIN is held until the server's arrived.
function holdFinUntilPeerCloses(socket: Socket): void {
  const end = socket.end.bind(socket);
  socket.end = ((...args: Parameters<Socket["end"]>) => {
    if (socket.readableEnded) return end(...args);
    socket.once("end", () => end());
    return socket;
  }) as Socket["end"];
}

/** Runs one WebSocket cycle and resolves with its outcome; never rejects. */
export function runWsCycle(options: WsCycleOptions): Promise<CycleOutcome> {
  return new Promise((resolve) => {
    const startedNs = process.hrtime.bigint();
    const outcome: CycleOutcome = { ok: false };
    let tcpSocket: Socket | undefined;
    const ws = new WebSocket(options.url, {
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs,
      createConnection: (connectOptions: { socketPath?: string }) => {
        // As ws's own netConnect: http's `path` is the request path, not a Unix socket.
        tcpSocket = connect({ ...connectOptions, path: connectOptions.socketPath } as NetConnectOpts);
        tcpSocket.once("connect", () => {
          outcome.connectUs = Number(process.hrtime.bigint() - startedNs) / 1000;
          // Node hides the port until the connect is seen (its getsockname waits for `connecting` to end).
          outcome.localPort = tcpSocket!.localPort;
          outcome.portEpochMs = Date.now();
        });
        return tcpSocket;
      },
    } as WebSocket.ClientOptions);
    const deadline = setTimeout(() => {
      outcome.errno ??= "ECLOSETIMEOUT";
      ws.terminate();
    }, options.timeoutMs * 2);
    let echoed = 0;
    const finish = (): void => {
      if (options.closeMode === "client-terminate") ws.terminate();
      else if (options.closeMode === "client-close") ws.close(1000);
      else if (options.closeMode === "rfc6455") {
        if (tcpSocket) holdFinUntilPeerCloses(tcpSocket);
        ws.close(1000);
      }
      // server-close / server-terminate: the server ends the cycle; the client only waits.
    };
    ws.on("open", () => {
      outcome.handshakeUs = Number(process.hrtime.bigint() - startedNs) / 1000;
      if (options.messages === 0) finish();
      else ws.send("ping 0");
    });
    ws.on("message", () => {
      echoed += 1;
      if (echoed >= options.messages) finish();
      else ws.send(`ping ${echoed}`);
    });
    ws.on("error", (error) => {
      outcome.errno ??= errnoOf(error);
    });
    ws.on("close", (code) => {
      clearTimeout(deadline);
      outcome.closeCode = code;
      outcome.ok = outcome.errno === undefined && outcome.handshakeUs !== undefined;
      resolve(outcome);
    });
  });
}
