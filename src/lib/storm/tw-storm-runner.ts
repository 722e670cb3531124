import type { EventEmitter } from "node:events";
import { readNamespaceSysctls, removeLeftoverNamespaces, spawnWorkerInNamespace, type NamespaceWorker } from "../netns/index.js";
import { collectRunMetadata } from "../run/index.js";
import { readTcpCounters } from "../tcp/index.js";
import { splitLoadShape } from "./load-shape.js";
import type { StormClientConfig, StormClientDone } from "./storm-client.js";
import { startStormSampler, type SampledNamespace, type StormSampler } from "./storm-sampler.js";
import type { StormServerStats } from "./storm-server.js";
import { addStormBatch, createStormTally, type StormTally } from "./storm-tally.js";
import { prepareStormTopology, type StormTopology } from "./storm-topology.js";
import type { StormWorkerReply, StormWorkerRequest } from "./storm-worker-messages.js";
import { assembleTwStormResult } from "./tw-storm-assembly.js";
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

// Sockets of the storm that have not finished closing: anything but TIME_WAIT and the listener.
function stillClosing(states: Record<string, number>): number {
  return Object.entries(states).reduce((sum, [state, count]) => (state === "TIME_WAIT" || state === "CLOSE" ? sum : sum + count), 0);
}

/** Runs one bounded storm end to end (topology, target, workers, sampling, drain) and returns its result; cleans up always. */
export async function runTwStorm(options: TwStormOptions, events?: EventEmitter<TwStormEvents>): Promise<TwStormResult> {
  const meta = collectRunMetadata("tw-storm", options.flags ?? {});
  const startedPerf = performance.now();
  const run: StormRun = { clients: [] };
  const tally: StormTally = createStormTally();
  const warnings: string[] = [];
  const doneMessages: StormClientDone[] = [];
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
      if (message.type === "done") {
        doneMessages.push(message);
        tally.dueNotStarted += message.dueNotStarted;
      }
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
    const readCounters = (): Record<string, Record<string, number>> => Object.fromEntries(sides.map((side) => [side.role, readTcpCounters(side.pid)]));
    const sysctls = {
      client: await readNamespaceSysctls(topology.clientNamespace),
      server: await readNamespaceSysctls(topology.serverNamespace),
    };
    const countersBefore = readCounters();
    run.sampler = startStormSampler(sides, targetPort);
    const sampler = run.sampler;
    const baseline = Object.fromEntries(sides.map((side) => [side.role, sampler.latestTimeWait(side.role)]));

    events?.emit("phase", "storm");
    const stormStartEpochMs = Date.now() + 300;
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
    // TIME_WAIT at storm end is read once the storm's last closes have finished (no socket of the
    // target port open or closing on either side, or 2 s at most), from a sockstat read made then:
    // the 10 Hz tick's last reading could predate the last ~100 ms of closes (one CI run read 1,913
    // of 2,000 server TIME_WAIT at 1,000 cycles/s). The counters are read with it, for the accounting.
    await sleep(120);
    const settleUntilMs = Date.now() + 2000;
    for (;;) {
      await sampler.sampleStatesNow();
      const census = sampler.samples.ss.at(-1)?.[1];
      if (!census || (stillClosing(census.client) === 0 && stillClosing(census.server) === 0) || Date.now() >= settleUntilMs) break;
      await sleep(100);
    }
    sampler.readSockstatNow();
    const stormEnd = {
      epochMs: Date.now(),
      timeWait: Object.fromEntries(sides.map((side) => [side.role, sampler.latestTimeWait(side.role)])),
      census: sampler.samples.ss.at(-1)?.[1],
      counters: readCounters(),
    };

    events?.emit("phase", "drain");
    let drainedEpochMs: number | undefined;
    let drainLastAboveEpochMs: number | undefined;
    const drainUntilMs = Date.now() + options.drainMaxS * 1000;
    while (options.drainMaxS > 0 && !options.signal?.aborted && Date.now() < drainUntilMs) {
      const drained = sides.every((side) => sampler.latestTimeWait(side.role) <= baseline[side.role]!);
      if (drained && tally.lastCloseEpochMs !== undefined) {
        drainedEpochMs = sampler.samples.sockstat[sides[0]!.role]!.at(-1)![0];
        // The drain happened after the last reading still above the baseline: on a stalled loop the
        // two readings are far apart, and the drain is known only within that gap.
        drainLastAboveEpochMs = Math.max(...sides.map((side) => lastAboveEpochMs(sampler.samples.sockstat[side.role]!, baseline[side.role]!)));
        break;
      }
      await sleep(100);
    }
    clearInterval(progressTimer);
    options.signal?.removeEventListener("abort", onAbort);
    await sampler.stop();
    const countersAfter = readCounters();
    const server = run.server ? await waitForServerStats(run.server) : undefined;

    return assembleTwStormResult({
      meta: { ...meta, durationS: (performance.now() - startedPerf) / 1000 },
      options,
      target: targetUrl!,
      topology: { kind: topology.kind, clientNamespace: topology.clientNamespace ?? null, serverNamespace: topology.serverNamespace ?? null },
      sysctls,
      stormStartEpochMs,
      tally,
      samples: sampler.samples,
      baseline,
      stormEnd,
      counters: { before: countersBefore, after: countersAfter },
      drainedEpochMs,
      drainLastAboveEpochMs,
      server,
      complete: !options.signal?.aborted && doneMessages.every((done) => !done.stopped) && doneMessages.length === run.clients.length,
      warnings,
    });
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

/** The time of the last sockstat reading whose TIME_WAIT count was above `baseline` (−Infinity if none). */
function lastAboveEpochMs(series: ReadonlyArray<readonly [number, number, ...number[]]>, baseline: number): number {
  for (let index = series.length - 1; index >= 0; index--) if (series[index]![1] > baseline) return series[index]![0];
  return -Infinity;
}
