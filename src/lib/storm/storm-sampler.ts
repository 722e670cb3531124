import { mergeTcpStateCensus, readSockstat, sampleTcpStates, type TcpStateCensus } from "../tcp/index.js";

/** A namespace to watch: `pid` is any process living in it (/proc/<pid>/net follows its namespace). */
export interface SampledNamespace {
  role: "client" | "server" | "host";
  pid: number | undefined;
  namespace: string | undefined;
}

/** Raw samples, stamped with wall-clock ms so they align with the workers' batches. */
export interface StormSamples {
  sockstat: Record<string, Array<[epochMs: number, tw: number, inuse: number, orphan: number]>>;
  ss: Array<[epochMs: number, census: { client: Record<string, number>; server: Record<string, number> }]>;
  twTimers: Array<[epochMs: number, remainingS: Record<string, number>]>;
  tool: "ss" | "netstat" | undefined;
  sockstatCostMs: number[];
  ssCostMs: number[];
}

/** A running sampler. */
export interface StormSampler {
  samples: StormSamples;
  latestTimeWait(role: string): number;
  /** Reads sockstat now, instead of waiting for the next 10 Hz tick. */
  readSockstatNow(): void;
  sampleStatesNow(): Promise<void>;
  stop(): Promise<void>;
}

/** Samples sockstat at `sockstatHz` (direct reads) and the per-side breakdown with ss at most once a second. */
export function startStormSampler(sides: SampledNamespace[], targetPort: number, sockstatHz = 10): StormSampler {
  const samples: StormSamples = { sockstat: {}, ss: [], twTimers: [], tool: undefined, sockstatCostMs: [], ssCostMs: [] };
  for (const side of sides) samples.sockstat[side.role] = [];
  const readAll = (): void => {
    for (const side of sides) {
      const startedMs = performance.now();
      let totals;
      try {
        totals = readSockstat(side.pid);
      } catch {
        continue; // the namespace's process already left; the storm is ending
      }
      samples.sockstatCostMs.push(performance.now() - startedMs);
      samples.sockstat[side.role]!.push([Date.now(), totals.tw, totals.inuse, totals.orphan]);
    }
  };
  readAll();
  const sockstatTimer = setInterval(readAll, 1000 / sockstatHz);

  const namespaces = [...new Set(sides.map((side) => side.namespace))];
  let inFlight: Promise<void> | undefined;
  const sampleStates = async (): Promise<void> => {
    const epochMs = Date.now();
    let census: TcpStateCensus = { client: {}, server: {}, timeWaitRemainingS: {} };
    for (const namespace of namespaces) {
      const sample = await sampleTcpStates({ namespace, targetPort });
      samples.tool = sample.tool;
      samples.ssCostMs.push(sample.durationMs);
      census = mergeTcpStateCensus(census, sample);
    }
    samples.ss.push([epochMs, { client: census.client, server: census.server }]);
    samples.twTimers.push([epochMs, census.timeWaitRemainingS]);
  };
  const sampleStatesOnce = (): Promise<void> => {
    inFlight ??= sampleStates().finally(() => (inFlight = undefined));
    return inFlight;
  };
  const ssTimer = setInterval(() => void sampleStatesOnce().catch(() => {}), 1000);
  void sampleStatesOnce().catch(() => {});

  return {
    samples,
    latestTimeWait: (role) => samples.sockstat[role]?.at(-1)?.[1] ?? 0,
    readSockstatNow: readAll,
    async sampleStatesNow() {
      await inFlight?.catch(() => {});
      await sampleStatesOnce();
    },
    async stop() {
      clearInterval(sockstatTimer);
      clearInterval(ssTimer);
      await inFlight?.catch(() => {});
    },
  };
}
