import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { httpServerCloses, type CloseMode } from "./close-mode.js";
import { atStormStart, createStormBatcher, type StormBatch } from "./storm-batch.js";
import type { StormClientDone } from "./storm-client.js";

/** One worker's share of an HTTP storm, driven by autocannon at a constant rate. */
export interface HttpStormClientConfig {
  worker: number;
  url: string;
  closeMode: CloseMode;
  ratePerS: number;
  cycles: number;
  durationS: number;
  concurrency: number;
  timeoutMs: number;
  startAtEpochMs: number;
}

// autocannon ships no types; this is the small part of its API the storm uses.
type Autocannon = (options: object, onDone: (error: Error | null) => void) => { stop(): void };
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

interface AutocannonClient {
  /** The client's current socket; autocannon replaces it on each reconnect (not in its typings, stable since v4). */
  conn?: Socket;
  // Internals of autocannon's Client (lib/httpClient.js, v8–v9): requests made, this client's share of
  // `amount`, and the method that opens a connection and writes the first request on it.
  reqsMade: number;
  responseMax?: number;
  _connect(): void;
  destroy(): void;
  on(event: "headers", listener: (headers: { statusCode: number }) => void): void;
  on(event: "connError", listener: (error: Error & { code?: string }) => void): void;
  on(event: "request", listener: () => void): void;
}

// autocannon's reconnect mode (-D) drops the response that triggers each reconnect from its own counts, so with
// one request per connection it reports zero responses; the `headers` event still fires for every response, so the
// worker counts those itself (and the server counts independently).
// Each connection carries one request (reconnect mode). When the server is the closer (it answers
// `Connection: close`), autocannon still destroys the socket the moment the response is parsed, racing the
// server's FIN: 300 cycles left 196 TIME_WAIT on the server and 89 on the client. Holding the client's
// close of an answered connection until the server's FIN arrived makes the server the closer, as asked.
// (Without reconnect mode autocannon writes its next request onto the closing socket: half were lost.)
function holdDestroyUntilServerCloses(conn: Socket, answered: WeakSet<Socket>, timeoutMs: number): void {
  const destroy = conn.destroy.bind(conn);
  conn.destroy = ((error?: Error) => {
    if (error || !answered.has(conn) || conn.readableEnded) return destroy(error);
    const timer = setTimeout(() => destroy(), timeoutMs);
    conn.once("end", () => {
      clearTimeout(timer);
      destroy();
    });
    return conn;
  }) as Socket["destroy"];
}

/** Runs an HTTP reconnect storm with autocannon, reporting batches in the same shape as the ws storm. */
export function runHttpStormClient(config: HttpStormClientConfig, emit: (message: StormBatch | StormClientDone) => void): { stop(): void } {
  const batches = createStormBatcher(config.worker, config.startAtEpochMs, emit);
  let started = 0;
  let responses = 0;
  let stopped = false;
  // Connections not yet closed: the worker reports done only once each has left its record.
  const open = new Set<Socket>();
  let onAllClosed: (() => void) | undefined;
  // Each connection's source port and its close go into the client's record, as the ws storm's cycles do.
  const watchConnection = (conn: Socket): void => {
    open.add(conn);
    let connected: { localPort: number | undefined; epochMs: number } | undefined;
    conn.once("connect", () => (connected = { localPort: conn.localPort, epochMs: Date.now() }));
    conn.once("close", () => {
      open.delete(conn);
      const endEpochMs = Date.now();
      const batch = batches.at(endEpochMs);
      if (connected?.localPort !== undefined) batch.ports.push([connected.localPort, connected.epochMs, endEpochMs]);
      if (connected) batch.lastCloseEpochMs = endEpochMs;
      batch.lastEndEpochMs = endEpochMs;
      if (open.size === 0) onAllClosed?.();
    });
  };
  let instance: { stop(): void } | undefined;
  const serverCloses = httpServerCloses(config.closeMode);
  const answered = new WeakSet<Socket>();
  const connections = Math.max(1, Math.min(config.concurrency, config.cycles, Math.floor(config.ratePerS)));
  const launch = (): void => {
    instance = autocannon(
      {
        url: config.url,
        connections,
        amount: config.cycles,
        overallRate: config.ratePerS,
        duration: config.durationS,
        timeout: Math.ceil(config.timeoutMs / 1000),
        reconnectRate: 1,
        setupClient: (client: AutocannonClient) => {
          // In reconnect mode a client reconnects after its last response too, and only then finds it has
          // no request left: 300 requests over 50 connections made 350 connections and 50 extra client
          // TIME_WAIT. A client whose share is done now ends without opening that connection.
          const openConnection = client._connect.bind(client);
          client._connect = () => {
            if (client.responseMax && client.reqsMade >= client.responseMax) client.destroy();
            else {
              openConnection();
              if (client.conn) watchConnection(client.conn);
            }
          };
          // Latencies as the ws storm has them, for requests on a fresh connection only: autocannon writes the
          // request as it opens the socket, so request → `connect` is the TCP connect and request → response
          // headers the whole exchange (a request written onto a socket the server is closing is not one).
          let freshSinceNs: bigint | undefined;
          client.on("request", () => {
            started += 1;
            batches.at().started += 1;
            const conn = client.conn;
            freshSinceNs = undefined;
            if (conn?.connecting) {
              if (serverCloses) holdDestroyUntilServerCloses(conn, answered, config.timeoutMs);
              const sinceNs = process.hrtime.bigint();
              freshSinceNs = sinceNs;
              conn.once("connect", () => batches.at().connectUs.push(Math.round(Number(process.hrtime.bigint() - sinceNs) / 1000)));
            }
          });
          client.on("headers", ({ statusCode }) => {
            responses += 1;
            const answeredEpochMs = Date.now();
            const batch = batches.at(answeredEpochMs);
            batch.lastEndEpochMs = answeredEpochMs;
            if (client.conn) answered.add(client.conn);
            if (freshSinceNs !== undefined) batch.handshakeUs.push(Math.round(Number(process.hrtime.bigint() - freshSinceNs) / 1000));
            freshSinceNs = undefined;
            const key = `HTTP_${statusCode}`;
            batch.closeCodes[key] = (batch.closeCodes[key] ?? 0) + 1;
            if (statusCode < 400) batch.succeeded += 1;
            else batch.failed += 1;
            if (responses >= config.cycles) instance?.stop();
          });
          client.on("connError", (error) => {
            const errno = error.code ?? "EOTHER";
            const failedEpochMs = Date.now();
            const batch = batches.at(failedEpochMs);
            batch.failed += 1;
            batch.firstFailureEpochMs ??= failedEpochMs;
            batch.lastEndEpochMs = failedEpochMs;
            batch.errors[errno] = (batch.errors[errno] ?? 0) + 1;
          });
        },
      },
      () => {
        const finish = (): void => {
          clearTimeout(giveUp);
          onAllClosed = undefined;
          batches.close();
          // autocannon paces itself at a constant rate; what its duration left unsent is what fell behind.
          const due = stopped ? started : Math.min(config.cycles, Math.floor(config.ratePerS * config.durationS));
          emit({ type: "done", worker: config.worker, started, dueNotStarted: Math.max(0, due - started), stopped });
        };
        // A held close (server closes) ends when the server's FIN arrives, or at the cycle timeout.
        const giveUp = setTimeout(finish, config.timeoutMs + 1000);
        if (open.size === 0) finish();
        else onAllClosed = finish;
      },
    );
  };
  atStormStart(config.startAtEpochMs, launch);
  return {
    stop() {
      stopped = true;
      instance?.stop();
    },
  };
}
