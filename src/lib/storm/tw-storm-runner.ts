import type { EventEmitter } from "node:events";
import { readNamespaceSysctls, removeLeftoverNamespaces, spawnWorkerInNamespace, type NamespaceWorker } from "../netns/index.js";
import { collectRunMetadata } from "../report/index.js";
import { diffTcpCounters, readTcpCounters } from "../tcp/index.js";
import { summariseLatenciesUs, summariseLatencyPercentilesUs } from "./latency-summary.js";
import { meanRatePerS, splitLoadShape } from "./load-shape.js";
import type { StormClientConfig, StormClientDone } from "./storm-client.js";
import { startStormSampler, type SampledNamespace, type StormSampler } from "./storm-sampler.js";
import type { StormServerStats } from "./storm-server.js";
import { addStormBatch, createStormTally, type StormTally } from "./storm-tally.js";
import { prepareStormTopology, type StormTopology } from "./storm-topology.js";
import type { StormWorkerReply, StormWorkerRequest } from "./storm-worker-messages.js";
import type { TwStormOptions } from "./tw-storm-options.js";
import type { TwStormResult } from "./tw-storm-result.js";

/** What a storm reports while it runs; listeners draw progress, the runner never formats text. */
export interface TwStormProgress {
  phase: "storm" | "drain";
  elapsedS: number;
  started: number;
  succeeded: number;
  failed: number;
  ratePerS: number;
  timeWait: number;
  errors: Record<string, number>;
}

/** The typed events of a storm run. */
export type TwStormEvents = {
  phase: [phase: "setup" | "storm" | "drain" | "teardown"];
  progress: [progress: TwStormProgress];
  warning: [message: string];
};

const workerEntry = new URL(`./storm-worker-entry${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url).href;

type StormWorker = NamespaceWorker<StormWorkerRequest>;

function waitForReply<K extends StormWorkerReply["type"]>(worker: StormWorker, type: K, timeoutMs: number): Promise<Extract<StormWorkerReply, { type: K }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Storm worker sent no \`${type}\` within ${timeoutMs} ms.`)), timeoutMs);
    const onMessage = (message: StormWorkerReply): void => {
      if (message.type === type || message.type === "failed") {
        clearTimeout(timer);
        worker.child.off("message", onMessage);
        if (message.type === "failed") reject(new Error(message.message));
        else resolve(message as Extract<StormWorkerReply, { type: K }>);
      }
    };
    worker.child.on("message", onMessage);
  });
}

function portRangeSize(range: string | undefined): number {
  const [low, high] = (range ?? "32768 60999").split(/\s+/).map(Number) as [number, number];
  return high - low + 1;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

interface StormRun {
  topology?: StormTopology;
  server?: StormWorker;
  clients: StormWorker[];
  sampler?: StormSampler;
}

/** Runs one bounded storm end to end (topology, target, workers, sampling, drain) and returns its result; cleans up always. */
// Sockets of the storm that have not finished closing: anything but TIME_WAIT and the listener.
function stillClosing(states: Record<string, number>): number {
  return Object.entries(states).reduce((sum, [state, count]) => (state === "TIME_WAIT" || state === "CLOSE" ? sum : sum + count), 0);
}

export async function runTwStorm(options: TwStormOptions, events?: EventEmitter<TwStormEvents>): Promise<TwStormResult> {
  const meta = collectRunMetadata("tw-storm", options.flags ?? {});
  const startedPerf = performance.now();
  const run: StormRun = { clients: [] };
  const tally: StormTally = createStormTally();
  const warnings: string[] = [];
  const doneMessages: StormClientDone[] = [];
  let stormStartEpochMs = Date.now();
  let complete = false;
  events?.emit("phase", "setup");
  await removeLeftoverNamespaces({ onlyOrphans: true });
  try {
    run.topology = await prepareStormTopology(options);
    warnings.push(...run.topology.warnings);
    for (const warning of run.topology.warnings) events?.emit("warning", warning);
    const topology = run.topology;

    let targetUrl = options.target;
    let targetPort = options.target ? Number(new URL(options.target).port || 80) : options.port;
    const onClientMessage = (message: StormWorkerReply): void => {
      if (message.type === "batch") addStormBatch(tally, message);
      if (message.type === "done") doneMessages.push(message);
    };
    if (!options.target) {
      run.server = await spawnWorkerInNamespace<StormWorkerRequest, StormWorkerReply>(topology.serverNamespace, workerEntry, () => {});
      const port = topology.kind === "loopback" && options.port === 8080 ? 0 : options.port;
      run.server.send({ type: "serve", config: { host: topology.serverAddress, port, protocol: options.protocol, closeMode: options.closeMode, messages: options.messages, delayMs: options.serverDelayMs } });
      targetPort = (await waitForReply(run.server, "listening", 10_000)).port;
      targetUrl = `${options.protocol}://${topology.serverAddress}:${targetPort}/`;
    }
    for (let worker = 0; worker < options.workers; worker += 1) {
      run.clients.push(await spawnWorkerInNamespace<StormWorkerRequest, StormWorkerReply>(topology.clientNamespace, workerEntry, onClientMessage));
    }

    const sides: SampledNamespace[] =
      topology.kind === "netns"
        ? [
            { role: "client", pid: run.clients[0]!.pid, namespace: topology.clientNamespace },
            { role: "server", pid: run.server!.pid, namespace: topology.serverNamespace },
          ]
        : [{ role: "host", pid: undefined, namespace: undefined }];
    const sysctls = {
      client: await readNamespaceSysctls(topology.clientNamespace),
      server: await readNamespaceSysctls(topology.serverNamespace),
    };
    const countersBefore = Object.fromEntries(sides.map((side) => [side.role, readTcpCounters(side.pid)]));
    run.sampler = startStormSampler(sides, targetPort);
    const sampler = run.sampler;
    const baseline = Object.fromEntries(sides.map((side) => [side.role, sampler.latestTimeWait(side.role)]));

    events?.emit("phase", "storm");
    stormStartEpochMs = Date.now() + 300;
    const perWorkerCycles = (worker: number): number =>
      Math.floor(options.cycles / options.workers) + (worker < options.cycles % options.workers ? 1 : 0);
    run.clients.forEach((client, worker) => {
      const base = { worker, url: targetUrl!, closeMode: options.closeMode, cycles: perWorkerCycles(worker), durationS: options.durationS, concurrency: Math.max(1, Math.ceil(options.concurrency / options.workers)), timeoutMs: options.timeoutMs, startAtEpochMs: stormStartEpochMs };
      const shape = splitLoadShape(options.shape, options.workers);
      if (options.protocol === "http") {
        client.send({ type: "http-storm", config: { ...base, ratePerS: shape.kind === "constant" ? shape.ratePerS : 1 } });
      } else {
        const config: StormClientConfig = { ...base, messages: options.messages, shape };
        client.send({ type: "storm", config });
      }
    });
    const onAbort = (): void => run.clients.forEach((client) => client.send({ type: "stop" }));
    options.signal?.addEventListener("abort", onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    const timeWaitNow = (): number => sides.reduce((sum, side) => sum + sampler.latestTimeWait(side.role), 0);
    let lastStarted = 0;
    const progressTimer = setInterval(() => {
      const phase = doneMessages.length < run.clients.length ? "storm" : "drain";
      events?.emit("progress", { phase, elapsedS: (Date.now() - stormStartEpochMs) / 1000, started: tally.started, succeeded: tally.succeeded, failed: tally.failed, ratePerS: tally.started - lastStarted, timeWait: timeWaitNow(), errors: { ...tally.errors } });
      lastStarted = tally.started;
    }, 1000);

    const stormDeadlineMs = (options.durationS + options.timeoutMs / 1000 * 3 + 10) * 1000;
    while (doneMessages.length < run.clients.length && Date.now() - stormStartEpochMs < stormDeadlineMs) await sleep(50);
    if (doneMessages.length < run.clients.length) warnings.push("Some storm workers did not report their end in time; their last cycles are missing.");
    const lastCloseEpochMs = Math.max(0, ...doneMessages.map((done) => done.lastCloseEpochMs));
    // TIME_WAIT at storm end is read once the storm's last closes have finished (no socket of the
    // target port open or closing on either side, or 2 s at most), from a sockstat read made then:
    // the 10 Hz tick's last reading could predate the last ~100 ms of closes (one CI run read 1,913
    // of 2,000 server TIME_WAIT at 1,000 cycles/s).
    await sleep(120);
    const settleUntilMs = Date.now() + 2000;
    for (;;) {
      await sampler.sampleStatesNow();
      const census = sampler.samples.ss.at(-1)?.[1];
      if (!census || (stillClosing(census.client) === 0 && stillClosing(census.server) === 0) || Date.now() >= settleUntilMs) break;
      await sleep(100);
    }
    sampler.readSockstatNow();
    const atStormEnd = Object.fromEntries(sides.map((side) => [side.role, sampler.latestTimeWait(side.role)]));
    const lastSs = sampler.samples.ss.at(-1)?.[1];

    events?.emit("phase", "drain");
    let drainedEpochMs: number | undefined;
    const drainUntilMs = Date.now() + options.drainMaxS * 1000;
    while (options.drainMaxS > 0 && !options.signal?.aborted && Date.now() < drainUntilMs) {
      const drained = sides.every((side) => sampler.latestTimeWait(side.role) <= baseline[side.role]!);
      if (drained && lastCloseEpochMs > 0) {
        drainedEpochMs = sampler.samples.sockstat[sides[0]!.role]!.at(-1)![0];
        break;
      }
      await sleep(100);
    }
    clearInterval(progressTimer);
    options.signal?.removeEventListener("abort", onAbort);
    await sampler.stop();
    const countersAfter = Object.fromEntries(sides.map((side) => [side.role, readTcpCounters(side.pid)]));
    const serverReport = run.server ? await waitForServerStats(run.server) : undefined;
    complete = !options.signal?.aborted && doneMessages.every((done) => !done.stopped) && doneMessages.length === run.clients.length;

    const relative = (epochMs: number): number => epochMs - stormStartEpochMs;
    const seconds = [...tally.seconds.keys()].sort((a, b) => a - b);
    const portRange = portRangeSize(sysctls.client["net.ipv4.ip_local_port_range"]);
    const clientRole = topology.kind === "netns" ? "client" : "host";
    const occupancyAt = (tMs: number): number => {
      const series = sampler.samples.sockstat[clientRole]!;
      const sample = series.find((entry) => relative(entry[0]) >= tMs + 1000) ?? series.at(-1)!;
      return Math.min(1, (sample[1] + sample[2]) / portRange);
    };
    const meanRate = meanRatePerS(options.shape, Math.min(options.durationS, options.cycles / Math.max(meanRatePerS(options.shape, options.durationS), 1e-9)));
    const stormDurationS = lastCloseEpochMs > 0 ? (lastCloseEpochMs - stormStartEpochMs) / 1000 : 0;
    const peak = Object.fromEntries(Object.entries(sampler.samples.sockstat).map(([role, series]) => [role, Math.max(0, ...series.map((entry) => entry[1]))]));
    const mean = (values: number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

    return {
      schema: "avsync/tw-storm-result",
      schemaVersion: 1,
      complete,
      meta: { ...meta, durationS: (performance.now() - startedPerf) / 1000, sampler: { tool: sampler.samples.tool ?? null, sockstatMeanMs: mean(sampler.samples.sockstatCostMs), ssMeanMs: mean(sampler.samples.ssCostMs) } },
      config: {
        protocol: options.protocol,
        closeMode: options.closeMode,
        shape: options.shape,
        cycles: options.cycles,
        durationS: options.durationS,
        concurrency: options.concurrency,
        messages: options.messages,
        serverDelayMs: options.serverDelayMs,
        workers: options.workers,
        target: targetUrl!,
        topology: options.topology,
        sysctls: options.sysctls,
        drainMaxS: options.drainMaxS,
        timeoutMs: options.timeoutMs,
      },
      topology: { kind: topology.kind, clientNamespace: topology.clientNamespace ?? null, serverNamespace: topology.serverNamespace ?? null, target: targetUrl! },
      sysctls,
      cycles: {
        planned: options.cycles,
        started: tally.started,
        succeeded: tally.succeeded,
        failed: tally.failed,
        achievedRatePerS: stormDurationS > 0 ? tally.started / stormDurationS : 0,
        stormDurationS,
        firstFailureS: tally.firstFailureEpochMs === undefined ? null : relative(tally.firstFailureEpochMs) / 1000,
        lastCloseS: lastCloseEpochMs > 0 ? relative(lastCloseEpochMs) / 1000 : null,
      },
      timeWait: {
        baseline,
        peak,
        atStormEnd:
          topology.kind === "netns"
            ? { client: atStormEnd.client! - baseline.client!, server: atStormEnd.server! - baseline.server!, source: "sockstat" }
            : { client: lastSs?.client.TIME_WAIT ?? 0, server: lastSs?.server.TIME_WAIT ?? 0, source: "ss" },
        drainS: drainedEpochMs !== undefined ? (drainedEpochMs - lastCloseEpochMs) / 1000 : null,
        drainedToBaseline: drainedEpochMs !== undefined,
      },
      errorsByErrno: tally.errors,
      closeCodes: { client: tally.closeCodes, server: serverReport?.closeCodes ?? {} },
      server: serverReport ? { connections: serverReport.connections, requests: serverReport.requests } : null,
      series: {
        sockstat: Object.fromEntries(Object.entries(sampler.samples.sockstat).map(([role, series]) => [role, series.map(([epochMs, tw, inuse, orphan]) => [relative(epochMs), tw, inuse, orphan] as [number, number, number, number])])),
        ss: sampler.samples.ss.map(([epochMs, census]) => [relative(epochMs), census]),
        twTimers: sampler.samples.twTimers.map(([epochMs, timers]) => [relative(epochMs), timers]),
        cyclesPerS: seconds.map((second) => {
          const bucket = tally.seconds.get(second)!;
          return [second * 1000, bucket.started, bucket.succeeded, bucket.failed];
        }),
        errorsByErrno: seconds.filter((second) => tally.seconds.get(second)!.failed > 0).map((second) => [second * 1000, tally.seconds.get(second)!.errors]),
        connectLatency: seconds.map((second) => [second * 1000, ...summariseLatenciesUs(tally.seconds.get(second)!.connectUs), occupancyAt(second * 1000)]),
        handshakeLatency: seconds.map((second) => [second * 1000, ...summariseLatenciesUs(tally.seconds.get(second)!.handshakeUs)]),
      },
      counters: {
        before: countersBefore,
        after: countersAfter,
        delta: Object.fromEntries(Object.keys(countersAfter).map((role) => [role, diffTcpCounters(countersBefore[role]!, countersAfter[role]!)])),
      },
      latencyUs: {
        connect: summariseLatencyPercentilesUs(seconds.flatMap((second) => tally.seconds.get(second)!.connectUs)),
        handshake: summariseLatencyPercentilesUs(seconds.flatMap((second) => tally.seconds.get(second)!.handshakeUs)),
      },
      predictions: { meanRatePerS: meanRate, steadyStateTw: Math.round(meanRate * 60), expectedPeakTw: Math.round(Math.min(options.cycles, meanRate * 60)), portRange, sustainableRatePerS: portRange / 60 },
      warnings,
    };
  } finally {
    events?.emit("phase", "teardown");
    await run.sampler?.stop();
    await Promise.all([...run.clients, ...(run.server ? [run.server] : [])].map((worker) => worker.stop()));
    await run.topology?.teardown();
  }
}

async function waitForServerStats(server: StormWorker): Promise<StormServerStats | undefined> {
  server.send({ type: "server-stats" });
  const reply = await waitForReply(server, "server-stats", 5000).catch(() => undefined);
  return reply?.stats;
}
