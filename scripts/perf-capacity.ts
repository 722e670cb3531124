// How many concurrent A/V sessions this machine sustains (issue 15): the embedded target pushes the
// 640×360 / 30 fps pattern to N of avsync's own probes on the same machine, and a case holds when the
// pusher's lateness p99 is ≤ 5 ms over every frame of every session and every session received ≥ 29
// distinct video frames a second over its steady part. N climbs 1, 2, 4, 8, … until a case fails,
// then is bisected. Prints sessions sustained, what failed first (the limiting resource) and CPU per
// session, with the anchor issue 15 measured for aiortc on the original design beside it.
// The content is a busy clip (ffmpeg's testsrc2 and a tone, made here at start) re-encoded to VP8 at
// --bitrate (default 1M): avsync's own pattern is flat blocks that VP8 sends in ~50 kbit/s, which
// would flatter the figure. `--content pattern` measures with the pattern anyway.
// Sessions are sharded over --threads pusher threads (default: one per core), each an embedded target
// of its own taking every --threads-th session; --threads 1 is `avsync bench`'s one pusher thread.
// --probe-only: how many sessions of a target the probe alone can measure. The senders are
// `avsync serve` processes (one per --threads), so this process's CPU is the probes' own, and a
// case holds when every session connected, received ≥ 29 fps and the kernel dropped no datagram at
// the probes' sockets; the senders' lateness is theirs, not judged (they share the cores all the same).
// --sessions N runs that one case instead of the search (to profile or repeat it).
//   node --import tsx scripts/perf-capacity.ts [--threads 2] [--max 96] [--sessions N] [--duration 10] [--bitrate 1M] [--content clip|pattern] [--probe-only]
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { summarize } from "../src/lib/analysis/index.js";
import { recordProbeSession, type ProbeRecording } from "../src/lib/probe/index.js";
import { noInjections, type PacingReport } from "../src/lib/pusher/index.js";
import { negotiateOverWebSocket } from "../src/lib/signaling/index.js";
import { startEmbeddedTargetThread, type TargetSession } from "../src/lib/target/index.js";
import { parseBitrate } from "../src/lib/cli/parse-values.js";

const { values } = parseArgs({
  options: { threads: { type: "string", default: String(cpus().length) }, max: { type: "string", default: "96" }, duration: { type: "string", default: "10" }, bitrate: { type: "string", default: "1M" }, content: { type: "string", default: "clip" }, sessions: { type: "string" }, "probe-only": { type: "boolean", default: false } },
});
const maxSessions = Number(values.max);
const pusherThreads = Number(values.threads);
if (!Number.isInteger(pusherThreads) || pusherThreads < 1 || pusherThreads > 16) throw new Error(`Expected --threads between 1 and 16, got \`${values.threads}\`.`);
const durationS = Number(values.duration);
if (!Number.isInteger(maxSessions) || maxSessions < 1 || maxSessions > 200) throw new Error(`Expected --max between 1 and 200, got \`${values.max}\`.`);
if (!(durationS >= 5 && durationS <= 120)) throw new Error(`Expected --duration between 5 and 120 s, got \`${values.duration}\`.`);

if (values.content !== "clip" && values.content !== "pattern") throw new Error(`Expected --content clip or pattern, got \`${values.content}\`.`);
const bitrateBps = parseBitrate(values.bitrate!);
const clipDir = mkdtempSync(join(tmpdir(), "avsync-capacity-"));
process.once("exit", () => rmSync(clipDir, { recursive: true, force: true }));
let mediaFile: string | null = null;
if (values.content === "clip") {
  mediaFile = join(clipDir, "busy.mkv");
  execFileSync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "12", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-c:a", "flac", mediaFile]);
}
const pattern = { width: 640, height: 360, fps: 30, videoBitrateBps: bitrateBps, ...(mediaFile ? { mediaFile, leadInS: 0 } : {}) };
const latenessLimitMs = 5;
const fpsFloor = 29;
// The first 2 s (connections coming up) and the last second (sessions ending) are not steady.
const steadyFromS = 2;
const steadyTailS = 1;
const anchor = { sessions: 8, what: "a Python aiortc server on the original design (issue 15's measurement, 2 cores)" };

interface CaseResult {
  sessions: number;
  connected: number;
  latenessP99Ms: number;
  minFps: number;
  videoKbps: number;
  cpuMsPerSessionPerS: number;
  probeLoopUtilization: number;
  failed: string | null;
}

// Distinct video frames (RTP timestamps) a session received per second over its steady part, and
// the video payload bitrate that carried them.
function steadyVideo(recording: ProbeRecording): { fps: number; kbps: number } {
  if (recording.connectedAtMs === null) return { fps: 0, kbps: 0 };
  const from = recording.connectedAtMs + steadyFromS * 1000;
  const to = (recording.endedAtMs ?? performance.now()) - steadyTailS * 1000;
  const frames = new Set<number>();
  let bytes = 0;
  for (const packet of recording.video.packets) {
    if (packet.arrivalMs < from || packet.arrivalMs >= to) continue;
    frames.add(packet.rtpTs);
    bytes += packet.payload.length;
  }
  const seconds = (to - from) / 1000;
  return seconds > 0 ? { fps: frames.size / seconds, kbps: (bytes * 8) / 1000 / seconds } : { fps: 0, kbps: 0 };
}

// Every sender process still running: stopped by PID however this script ends.
const liveServers = new Set<number>();
process.once("exit", () => {
  for (const pid of liveServers) process.kill(pid, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

// One `avsync serve` process of this checkout streaming the case's content; stopped by its PID.
async function startServeProcess(maxSessions: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const run = fileURLToPath(new URL("../bin/run.js", import.meta.url));
  const args = ["serve", "--port", "0", "--max-sessions", String(maxSessions), "--video-size", "640x360", "--video-bitrate", values.bitrate!, ...(mediaFile ? ["--media", mediaFile] : [])];
  const child = spawn(process.execPath, [run, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  liveServers.add(child.pid!);
  child.once("exit", () => liveServers.delete(child.pid!));
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    // It says where it listens on stderr.
    const read = (d: Buffer): void => {
      out += d.toString();
      const found = /ws:\/\/127\.0\.0\.1:\d+\/ws/.exec(out);
      if (found) resolve(found[0]);
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => reject(new Error(`avsync serve exited (${code}) before listening: ${out}`)));
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      process.kill(child.pid!, "SIGINT");
      const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function runProbeOnlyCase(sessions: number): Promise<CaseResult> {
  const threads = Math.min(pusherThreads, sessions);
  const servers = await Promise.all(Array.from({ length: threads }, () => startServeProcess(Math.ceil(sessions / threads))));
  try {
    const elu0 = performance.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const recordings = await Promise.all(
      Array.from({ length: sessions }, (_, i) =>
        recordProbeSession({ negotiate: (offer) => negotiateOverWebSocket(servers[i % threads]!.url, offer, 10_000), durationMs: durationS * 1000 }).catch(() => null),
      ),
    );
    const elu = performance.eventLoopUtilization(elu0);
    const cpu = process.cpuUsage(cpu0);
    const connected = recordings.filter((r): r is ProbeRecording => r !== null && r.connectedAtMs !== null);
    const video = connected.map(steadyVideo);
    const minFps = video.length === sessions ? Math.min(...video.map((v) => v.fps)) : 0;
    const socketDrops = connected.reduce((n, r) => n + (r.socketDrops ?? 0), 0);
    const failed =
      connected.length < sessions
        ? `${sessions - connected.length} session(s) did not connect (signaling, ICE or DTLS)`
        : socketDrops > 0
          ? `the kernel dropped ${socketDrops} datagram(s) at the probes' sockets (the probes fell behind)`
          : minFps < fpsFloor
            ? `a session received ${minFps.toFixed(1)} fps < ${fpsFloor} (the probes' thread or the senders')`
            : null;
    return {
      sessions,
      connected: connected.length,
      latenessP99Ms: Number.NaN,
      minFps,
      videoKbps: video.length ? video.reduce((sum, v) => sum + v.kbps, 0) / video.length : 0,
      cpuMsPerSessionPerS: (cpu.user + cpu.system) / 1000 / sessions / durationS,
      probeLoopUtilization: elu.utilization,
      failed,
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function runCase(sessions: number): Promise<CaseResult> {
  if (values["probe-only"]) return runProbeOnlyCase(sessions);
  const threads = Math.min(pusherThreads, sessions);
  const targets = await Promise.all(
    Array.from({ length: threads }, () => startEmbeddedTargetThread({ mode: "paced", pattern, injections: noInjections, sessionDurationS: durationS, maxSessions: Math.ceil(sessions / threads) })),
  );
  const started: TargetSession[] = [];
  for (const target of targets) target.on("session", (session) => started.push(session));
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const recordings = await Promise.all(
    Array.from({ length: sessions }, (_, i) =>
      recordProbeSession({ negotiate: (offer) => negotiateOverWebSocket(targets[i % threads]!.url, offer, 10_000), durationMs: durationS * 1000 + 300 }).catch(() => null),
    ),
  );
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const reports: PacingReport[] = await Promise.all(started.map((s) => (s.stop(), s.finished)));
  await Promise.all(targets.map((target) => target.close()));
  const connected = recordings.filter((r): r is ProbeRecording => r !== null && r.connectedAtMs !== null);
  const lateness = summarize(reports.flatMap((r) => [...r.audio.latenessMs, ...r.video.latenessMs].map(([, ms]) => ms)));
  const video = connected.map(steadyVideo);
  const minFps = video.length === sessions ? Math.min(...video.map((v) => v.fps)) : 0;
  const latenessP99Ms = lateness.p99 ?? Number.POSITIVE_INFINITY;
  const failed =
    connected.length < sessions
      ? `${sessions - connected.length} session(s) did not connect (signaling, ICE or DTLS)`
      : latenessP99Ms > latenessLimitMs
        ? `the pushers fell behind: lateness p99 ${latenessP99Ms.toFixed(2)} ms > ${latenessLimitMs} ms (${threads} thread${threads === 1 ? "" : "s"})`
        : minFps < fpsFloor
          ? `a session received ${minFps.toFixed(1)} fps < ${fpsFloor} (delivery: the probes' thread or the pusher's)`
          : null;
  return {
    sessions,
    connected: connected.length,
    latenessP99Ms,
    minFps,
    videoKbps: video.length ? video.reduce((sum, v) => sum + v.kbps, 0) / video.length : 0,
    cpuMsPerSessionPerS: (cpu.user + cpu.system) / 1000 / sessions / durationS,
    probeLoopUtilization: elu.utilization,
    failed,
  };
}

const results: CaseResult[] = [];
async function measure(sessions: number): Promise<CaseResult> {
  process.stderr.write(`… ${sessions} session(s), ${durationS} s`);
  const result = await runCase(sessions);
  process.stderr.write(`: ${result.failed ?? "held"} (lateness p99 ${Number.isNaN(result.latenessP99Ms) ? "n/a" : `${result.latenessP99Ms.toFixed(2)} ms`}, min ${result.minFps.toFixed(1)} fps)\n`);
  results.push(result);
  return result;
}

let held = 0;
let failedAt: number | null = null;
if (values.sessions !== undefined) {
  const n = Number(values.sessions);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new Error(`Expected --sessions between 1 and 200, got \`${values.sessions}\`.`);
  if ((await measure(n)).failed) failedAt = n;
  else held = n;
}
for (let n = 1; values.sessions === undefined && n <= maxSessions; n = Math.min(maxSessions, n * 2)) {
  if ((await measure(n)).failed) {
    failedAt = n;
    break;
  }
  held = n;
  if (n === maxSessions) break;
}
// Bisect between the last case that held and the first that failed, to within 2 sessions.
while (values.sessions === undefined && failedAt !== null && failedAt - held > 2) {
  const n = Math.floor((held + failedAt) / 2);
  if ((await measure(n)).failed) failedAt = n;
  else held = n;
}

const f = (n: number, d = 1): string => n.toFixed(d);
const probeOnly = values["probe-only"];
const senders = probeOnly
  ? `${pusherThreads} \`avsync serve\` sender process${pusherThreads === 1 ? "" : "es"} (their lateness not judged), probes in this process`
  : `${pusherThreads} pusher thread${pusherThreads === 1 ? "" : "s"}, probes on the same machine`;
console.log(`avsync capacity${probeOnly ? " (probe only)" : ""} — ${cpus().length}× ${cpus()[0]?.model ?? "?"}, Node ${process.version}; 640×360 / 30 fps VP8, ${values.content === "clip" ? `a busy clip at ${values.bitrate}` : "avsync's pattern"}, ${durationS} s a case, ${senders}`);
console.log("sessions  connected  lateness p99 (ms)  min fps  video kbit/s  CPU ms/s per session  probe thread busy  verdict");
for (const r of [...results].sort((a, b) => a.sessions - b.sessions)) {
  console.log(
    `${String(r.sessions).padStart(8)}  ${String(r.connected).padStart(9)}  ${(Number.isNaN(r.latenessP99Ms) ? "n/a" : f(r.latenessP99Ms, 2)).padStart(17)}  ${f(r.minFps).padStart(7)}  ${f(r.videoKbps, 0).padStart(12)}  ${f(r.cpuMsPerSessionPerS).padStart(20)}  ${f(r.probeLoopUtilization * 100).padStart(15)} %  ${r.failed ?? "held"}`,
  );
}
const best = results.find((r) => r.sessions === held);
const limit = results.find((r) => r.sessions === failedAt);
console.log("");
const allHeld = values.sessions !== undefined ? " (the one case run held)" : ` (every case up to --max ${maxSessions} held)`;
console.log(`sustained: ${held} sessions${failedAt === null ? allHeld : `; at ${failedAt}: ${limit!.failed}`}`);
if (best) console.log(`CPU per session at ${held}: ${f(best.cpuMsPerSessionPerS)} ms/s (${probeOnly ? "the probes alone" : "pusher threads + probes"}, this process)`);
if (!probeOnly) console.log(`anchor: ${anchor.sessions} sessions, ${anchor.what}; ratio ${f(held / anchor.sessions, 2)}× (goal 5×)`);
