// `bench --metrics-port`: the run's live figures in Prometheus' text format (prom-client), so a long
// run can be watched from Grafana while it goes (issue 15). Read on each scrape; nothing decoded.
import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";
import type { LiveSessionFigures } from "../probe/index.js";
import type { HeapFigures } from "../run/index.js";

/** Where to listen: 127.0.0.1 unless a host is named (`--metrics-port 0.0.0.0:9464`). */
export interface MetricsListen {
  host: string;
  port: number;
}

/** The run as a scrape sees it. */
export interface LiveRun {
  elapsedS: number;
  plannedS: number;
  requested: number;
  sessions: Array<{ index: number; failed: boolean; figures: LiveSessionFigures | null }>;
  /** Each JavaScript thread's heap: `main` (the probe), `target` (the embedded target's pusher thread). */
  heaps: Array<{ thread: string; figures: HeapFigures }>;
}

/** Parses `--metrics-port` (`9464` or `host:9464`); throws one line on bad input. */
export function parseMetricsListen(input: string): MetricsListen {
  const match = /^(?:(\[[0-9a-fA-F:]+\]|[^:]+):)?(\d{1,5})$/.exec(input.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port >= 0 && port <= 65535)) throw new Error(`Expected \`--metrics-port\` to be a port (e.g. 9464) or host:port (e.g. 0.0.0.0:9464), got \`${input}\`.`);
  return { host: match[1]?.replace(/^\[|\]$/g, "") ?? "127.0.0.1", port };
}

/** Serves GET /metrics until closed; `read` is called on every scrape. */
export async function startMetricsEndpoint(listen: MetricsListen, read: () => LiveRun): Promise<{ url: string; close: () => Promise<void> }> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "avsync_" });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers: [registry] });
  const elapsed = gauge("avsync_run_elapsed_seconds", "Seconds since the run started receiving.");
  const planned = gauge("avsync_run_planned_seconds", "Seconds of media the run asked for (--duration).");
  const sessions = gauge("avsync_sessions", "Probe sessions by state: requested, connected (receiving now), failed.", ["state"]);
  const packets = counter("avsync_received_packets_total", "RTP packets received, per session and stream.", ["session", "kind"]);
  const lost = counter("avsync_lost_packets_total", "RTP packets the sequence numbers say never arrived, per session and stream.", ["session", "kind"]);
  const transport = gauge("avsync_transport_offset_ms", "Transport relative delay (video − audio, positive = audio leads), median over the last 10 s of video frames.", ["session"]);
  const held = gauge("avsync_held_packets", "Packets whose records the probe still holds in memory, per session (--segment lets measured ones go).", ["session"]);
  const drift = gauge("avsync_transport_drift_ms_per_hour", "Slope of the transport offset over the run so far, ms per hour (null until a minute of it).", ["session"]);
  const heapUsed = gauge("avsync_heap_used_bytes", "JavaScript heap in use, per thread (main: the probe; target: the embedded target's pusher).", ["thread"]);
  const external = gauge("avsync_heap_external_bytes", "Memory outside the JavaScript heap that the thread's objects hold (Buffers), freed only when they are collected.", ["thread"]);
  const heapLive = gauge("avsync_heap_live_bytes", "Heap in use plus external memory right after the thread's latest major collection: what a leak raises while RSS saws with collections (absent before the first).", ["thread"]);
  const majorCollections = gauge("avsync_heap_major_collections", "Major (mark-compact) collections of the thread's heap so far.", ["thread"]);

  const collect = (): void => {
    const run = read();
    elapsed.set(run.elapsedS);
    planned.set(run.plannedS);
    sessions.set({ state: "requested" }, run.requested);
    sessions.set({ state: "connected" }, run.sessions.filter((s) => s.figures?.connected).length);
    sessions.set({ state: "failed" }, run.sessions.filter((s) => s.failed).length);
    for (const c of [packets, lost, transport, drift, held, heapUsed, external, heapLive, majorCollections]) c.reset();
    for (const { thread, figures } of run.heaps) {
      heapUsed.set({ thread }, figures.heapBytes);
      external.set({ thread }, figures.externalBytes);
      majorCollections.set({ thread }, figures.majorCollections);
      if (figures.liveBytes !== null) heapLive.set({ thread }, figures.liveBytes);
    }
    for (const { index, figures } of run.sessions) {
      if (!figures) continue;
      const session = String(index);
      for (const kind of ["audio", "video"] as const) {
        packets.inc({ session, kind }, figures.packets[kind]);
        lost.inc({ session, kind }, figures.lost[kind]);
      }
      held.set({ session }, figures.held);
      if (figures.transportOffsetMs !== null) transport.set({ session }, figures.transportOffsetMs);
      if (figures.transportDriftMsPerHour !== null) drift.set({ session }, figures.transportDriftMsPerHour);
    }
  };

  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("avsync serves /metrics only\n");
      return;
    }
    try {
      collect();
    } catch (error) {
      res.writeHead(500, { "content-type": "text/plain" }).end(`${(error as Error).message}\n`);
      return;
    }
    void registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(new Error(`--metrics-port: could not listen on ${listen.host}:${listen.port} (${error.code ?? error.message}).`)));
    server.listen(listen.port, listen.host, resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : listen.port;
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
