// Pacing and probe cost, paced vs seed, 1 and 20 concurrent sessions on the embedded target, then
// decode + measure cost per codec (scripts/perf-decode.ts).
// Prints figures and ratios measured in this one run (no stored baseline): node --import tsx scripts/perf.ts
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { summarize } from "../src/lib/analysis/index.js";
import { measureRecording, recordProbeSession } from "../src/lib/probe/index.js";
import { noInjections, type PacingReport, type PusherMode } from "../src/lib/pusher/index.js";
import { negotiateOverWebSocket } from "../src/lib/signaling/index.js";
import { startEmbeddedTargetThread, type TargetSession } from "../src/lib/target/index.js";
import { runDecodePerf } from "./perf-decode.js";

const durationS = Number(process.env.PERF_DURATION_S ?? 10);

interface Figures {
  latenessP50Ms: number;
  latenessP99Ms: number;
  latenessMaxMs: number;
  probeLoopUtilization: number;
  probeCpuMsPerSessionPerS: number;
  measureMsPerSession: number;
}

async function runCase(mode: PusherMode, sessions: number): Promise<Figures> {
  const target = await startEmbeddedTargetThread({ mode, pattern: {}, injections: noInjections, sessionDurationS: durationS });
  const started: TargetSession[] = [];
  target.on("session", (session) => started.push(session));
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const recordings = await Promise.all(
    Array.from({ length: sessions }, () =>
      recordProbeSession({ negotiate: (offer) => negotiateOverWebSocket(target.url, offer, 10_000), durationMs: durationS * 1000 + 300 }),
    ),
  );
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const reports: PacingReport[] = await Promise.all(started.map((s) => (s.stop(), s.finished)));
  await target.close();
  const t0 = performance.now();
  for (const recording of recordings) await measureRecording(recording, target.pattern);
  const measureMs = (performance.now() - t0) / sessions;
  const lateness = reports.flatMap((r) => [...r.audio.latenessMs, ...r.video.latenessMs].map(([, ms]) => ms));
  const s = summarize(lateness);
  return {
    latenessP50Ms: s.p50!,
    latenessP99Ms: s.p99!,
    latenessMaxMs: s.max!,
    // The main thread runs only the probes (the target has its own thread), so its event-loop
    // utilization is the probes' share of one core; process CPU includes the target's thread too.
    probeLoopUtilization: elu.utilization / sessions,
    probeCpuMsPerSessionPerS: (cpu.user + cpu.system) / 1000 / sessions / durationS,
    measureMsPerSession: measureMs,
  };
}

const rows: Array<[string, Figures]> = [];
for (const mode of ["paced", "seed"] as const) {
  for (const sessions of [1, 20]) {
    process.stderr.write(`… ${mode}, ${sessions} session(s), ${durationS} s\n`);
    rows.push([`${mode} ×${sessions}`, await runCase(mode, sessions)]);
  }
}
const f = (n: number, d = 2): string => n.toFixed(d);
console.log(`avsync perf — ${cpus().length}× ${cpus()[0]?.model ?? "?"}, Node ${process.version}, ${durationS} s per case`);
console.log("case        lateness p50   p99    max (ms)  probe ELU/session  CPU ms/s/session (pusher+probe)  measure ms/session");
for (const [name, r] of rows) {
  console.log(
    `${name.padEnd(11)} ${f(r.latenessP50Ms, 3).padStart(8)} ${f(r.latenessP99Ms).padStart(7)} ${f(r.latenessMaxMs).padStart(7)}   ${f(r.probeLoopUtilization * 100, 1).padStart(8)} %   ${f(r.probeCpuMsPerSessionPerS, 1).padStart(18)}             ${f(r.measureMsPerSession, 0).padStart(8)}`,
  );
}
const by = Object.fromEntries(rows);
console.log("");
console.log(`ratios: paced p99 20 sessions / 1 session = ${f(by["paced ×20"]!.latenessP99Ms / by["paced ×1"]!.latenessP99Ms)}`);
console.log(`        seed p99 / paced p99 (1 session)  = ${f(by["seed ×1"]!.latenessP99Ms / by["paced ×1"]!.latenessP99Ms)}`);
console.log(`goals:  paced p99 ≤ 1 ms at 1 session: ${by["paced ×1"]!.latenessP99Ms <= 1 ? "met" : "missed"}; ≤ 5 ms at 20: ${by["paced ×20"]!.latenessP99Ms <= 5 ? "met" : "missed"}`);

// Decode and measure cost per codec at 720p and 1080p (issue 17); needs Debian's ffmpeg.
await runDecodePerf();
