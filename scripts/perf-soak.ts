// Recording memory over a long run (issue 16, item 5): runs `avsync bench` (the built CLI, embedded
// target) with --sessions 10 for --minutes, reads the process's RSS from /proc every 5 s, and prints RSS
// after the warm-up, at the end of receiving (before decoding starts) and the growth between them.
// Goal: growth < 10 %. Run: node --import tsx scripts/perf-soak.ts [--minutes 10] [--sessions 10] [--warmup 60] [--segment 60]
// With --segment N the run is measured as it goes (bench --segment): "end of receiving" is then simply the
// last reading before the run ends, and the peak includes the segments' decoding.
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, release, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { minutes: { type: "string", default: "10" }, sessions: { type: "string", default: "10" }, warmup: { type: "string", default: "60" }, segment: { type: "string" } },
});
const minutes = Number(args.minutes);
const sessions = Number(args.sessions);
const warmupS = Number(args.warmup);
if (!(minutes > 0 && minutes <= 60 && Number.isInteger(sessions) && sessions >= 1 && sessions <= 200 && warmupS >= 0 && warmupS < minutes * 60)) {
  throw new Error(`Expected \`--minutes\` up to 60, \`--sessions\` 1–200 and \`--warmup\` shorter than the run, got \`${args.minutes}\`, \`${args.sessions}\`, \`${args.warmup}\`.`);
}

const rssMb = (pid: number): number | null => {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
};

const folder = mkdtempSync(join(tmpdir(), "avsync-soak-"));
const out = join(folder, "run");
const segment = args.segment === undefined ? [] : ["--segment", args.segment];
const bench = execa(process.execPath, ["bin/run.js", "bench", "--sessions", String(sessions), "--duration", String(minutes * 60), ...segment, "--out", out], {
  reject: false,
  stdin: "ignore",
});
const startMs = Date.now();
let receivingFrom: number | null = null;
let receivingEndedMs: number | null = null;
bench.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
  if (receivingFrom === null && chunk.includes("receiving media")) receivingFrom = Date.now();
  if (receivingEndedMs === null && chunk.includes("decoding and measuring")) receivingEndedMs = Date.now();
});
const samples: Array<{ s: number; rssMb: number; receiving: boolean }> = [];
const timer = setInterval(() => {
  const rss = rssMb(bench.pid!);
  if (rss === null) return;
  const receiving = receivingFrom !== null && receivingEndedMs === null;
  samples.push({ s: (Date.now() - startMs) / 1000, rssMb: rss, receiving });
  if (receiving && samples.length % 12 === 0) process.stderr.write(`  ${((Date.now() - receivingFrom!) / 1000).toFixed(0)} s receiving: RSS ${rss.toFixed(0)} MB\n`);
}, 5000);
const result = await bench;
clearInterval(timer);
rmSync(folder, { recursive: true, force: true });
if (result.exitCode !== 0) process.stderr.write(`bench exited ${result.exitCode}: ${result.stderr.split("\n").slice(-3).join(" / ")}\n`);

const receiving = samples.filter((x) => x.receiving);
const warm = receiving.find((x) => x.s - (receivingFrom! - startMs) / 1000 >= warmupS);
const end = receiving.at(-1);
const peak = Math.max(...samples.map((x) => x.rssMb));
console.log(`machine: ${cpus().length}× ${cpus()[0]?.model.trim()}, Linux ${release()}, Node ${process.versions.node}`);
console.log(`bench --sessions ${sessions} --duration ${minutes * 60} ${segment.join(" ")} (embedded target), exit ${result.exitCode}`);
if (!warm || !end) {
  console.log("too few samples while receiving to judge");
  process.exitCode = 1;
} else {
  const growth = (end.rssMb - warm.rssMb) / warm.rssMb;
  console.log(`RSS after ${warmupS} s of receiving: ${warm.rssMb.toFixed(0)} MB; at the end of receiving: ${end.rssMb.toFixed(0)} MB; growth ${(growth * 100).toFixed(1)} % (goal < 10 %)`);
  // Two readings of RSS move with the collector; the least-squares slope over every reading after the warm-up does not.
  const after = receiving.filter((x) => x.s >= warm.s);
  const meanS = after.reduce((sum, x) => sum + x.s, 0) / after.length;
  const meanMb = after.reduce((sum, x) => sum + x.rssMb, 0) / after.length;
  const slopeMbPerS = after.reduce((sum, x) => sum + (x.s - meanS) * (x.rssMb - meanMb), 0) / after.reduce((sum, x) => sum + (x.s - meanS) ** 2, 0);
  console.log(`trend after the warm-up (${after.length} readings): ${((slopeMbPerS * 60 * 1024) / sessions).toFixed(1)} kB per session-minute; peak RSS while decoding and measuring: ${peak.toFixed(0)} MB`);
}
