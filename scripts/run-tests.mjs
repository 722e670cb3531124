// Runs test files with node's built-in runner: each file in its own process, several at once, the
// longest first; each file's output is printed whole when it ends, then one summary with every file's
// wall and CPU time (Node 20 has no --test globs, and its own concurrency interleaves the output).
//   node scripts/run-tests.mjs                  every file: what `npm test` and CI run
//   node scripts/run-tests.mjs --tier unit      unit files only: no network, no root, no browser
//   node scripts/run-tests.mjs test/x.test.ts   just these files
//   --jobs N                                    files at once (default: 3; 1 runs them one by one)
// A file's first lines may declare what it needs, e.g. `// test: system, group media:2, group browser`:
//   system        it opens sockets, needs root, network namespaces, external programs or a browser; files
//                 under test/commands, test/e2e, test/interop and test/browser are system whatever they say;
//   group NAME:N  it takes N (default 1) of the group's capacity while it runs (see groupCapacity below);
//   alone         no other file runs beside it; such files run once the others are done. With one core held
//                 by a neighbour and other real-time files beside them, 1 to 7 of bench-sessions' 20 peer
//                 connections failed to connect.
import { readFileSync, readdirSync, statSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";

const systemDirs = ["test/commands/", "test/e2e/", "test/interop/", "test/browser/"];
// How much of a group may run at once, and which groups never run together:
//   media    real-time A/V whose timing a file asserts. Pusher and probe threads run at nice −10, so
//            three benches at once starved each other's ICE/DTLS (9 of 20 sessions did not connect in
//            10 s); two at once are fine, their probes account for their own stalls. A browser run
//            takes the whole capacity (media:2): Chromium at nice 0 beside a bench's −10 threads dropped
//            frames and kept re-timing, so its own account covered 2 of 30 markers. So do the heavy
//            senders (1080p encodes, aiortc encoding 720p H.264 in Python, which fell 1.4 s behind
//            its own schedule beside a 1080p bench).
//   browser  headless Chromium: one at a time.
//   storm    reconnect storms of hundreds to thousands of cycles a second: their softirq work preempts
//            every thread whatever its priority, which a bench's probe sees as stalls and accounts for,
//            but Chromium cannot: storms and browsers never overlap.
const groupCapacity = { media: 2, browser: 1, storm: 1 };
const groupConflicts = [["browser", "storm"]];
const fileTimeoutMs = 8 * 60_000;
const durationsPath = ".cache/test-durations.json";
const clockTicksPerS = 100;

function collect(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return collect(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

function describeFile(path) {
  const head = readFileSync(path, "utf8").split("\n").slice(0, 8).join("\n");
  const declared = /^\/\/ test: (.+)$/m.exec(head)?.[1] ?? "";
  const words = declared.split(",").map((w) => w.trim());
  return {
    path,
    system: systemDirs.some((dir) => path.startsWith(dir)) || words.includes("system"),
    alone: words.includes("alone"),
    groups: Object.fromEntries(
      words.filter((w) => w.startsWith("group ")).map((w) => {
        const [name, units] = w.slice("group ".length).split(":");
        return [name, Number(units ?? 1)];
      }),
    ),
  };
}

function parseArgs(argv) {
  const options = { tier: "all", jobs: 3, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--tier") options.tier = argv[++i];
    else if (arg === "--jobs") options.jobs = Number(argv[++i]);
    else options.files.push(arg);
  }
  if (!["unit", "system", "all"].includes(options.tier)) fail(`Expected \`--tier\` to be unit, system or all, got \`${options.tier}\`.`);
  if (!Number.isInteger(options.jobs) || options.jobs < 1) fail(`Expected \`--jobs\` to be a positive integer, got \`${options.jobs}\`.`);
  return options;
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

// CPU seconds of this process's reaped children (utime + stime of the children, /proc/self/stat fields 16–17).
function childrenCpuS() {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
  return (Number(fields[13]) + Number(fields[14])) / clockTicksPerS;
}

// Each file's process is reaped just before its close event, so the children's CPU that appeared since
// the last close is that file's (with everything it started and waited for).
let reapedCpuS = childrenCpuS();
function takeReapedCpuS() {
  const now = childrenCpuS();
  const cpuS = now - reapedCpuS;
  reapedCpuS = now;
  return cpuS;
}

function readDurations() {
  try {
    return JSON.parse(readFileSync(durationsPath, "utf8"));
  } catch {
    return {};
  }
}

// Without a record of earlier runs, system files are guessed longer than unit files, browser runs longest.
function guessS(file) {
  if (file.groups.browser) return 200;
  return file.system ? 30 : 2;
}

function parseCounts(output) {
  const count = (name) => Number(new RegExp(`^ℹ ${name} (\\d+)$`, "m").exec(output)?.[1] ?? 0);
  return { tests: count("tests"), pass: count("pass"), fail: count("fail"), cancelled: count("cancelled"), skipped: count("skipped"), todo: count("todo") };
}

// Process groups of the files running now: Ctrl-C of the runner stops them too (they are detached).
const runningGroups = new Set();
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    for (const pid of runningGroups) killGroup(pid);
    process.exit(130);
  });
}

function killGroup(pid) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {}
}

function runFile(file) {
  return new Promise((resolve) => {
    const startedMs = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", "--test-reporter=spec", file.path], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
      detached: true,
    });
    runningGroups.add(child.pid);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, fileTimeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      // Whatever the file left running in its process group goes with it.
      killGroup(child.pid);
      runningGroups.delete(child.pid);
      const counts = parseCounts(output);
      const ok = code === 0 && !timedOut;
      if (timedOut) output += `\n✖ stopped after ${fileTimeoutMs / 1000} s\n`;
      resolve({ file, ok, code, counts, output, wallS: (Date.now() - startedMs) / 1000, cpuS: takeReapedCpuS() });
    });
  });
}

async function runAll(files, jobs) {
  const known = readDurations();
  const queue = [...files].sort((a, b) => (known[b.path] ?? guessS(b)) - (known[a.path] ?? guessS(a)));
  const busy = new Map();
  let aloneRunning = false;
  const fits = (file) =>
    !aloneRunning &&
    (!file.alone || running === 0) &&
    Object.entries(file.groups).every(([g, units]) => (busy.get(g) ?? 0) + units <= (groupCapacity[g] ?? 1)) &&
    !groupConflicts.some(([a, b]) => (file.groups[a] && busy.get(b)) || (file.groups[b] && busy.get(a)));
  const results = [];
  let running = 0;
  await new Promise((resolveAll) => {
    const startNext = () => {
      while (running < jobs) {
        const index = queue.findIndex(fits);
        if (index < 0) break;
        const [file] = queue.splice(index, 1);
        running++;
        aloneRunning = file.alone;
        for (const [g, units] of Object.entries(file.groups)) busy.set(g, (busy.get(g) ?? 0) + units);
        runFile(file).then((result) => {
          running--;
          if (file.alone) aloneRunning = false;
          for (const [g, units] of Object.entries(file.groups)) busy.set(g, busy.get(g) - units);
          results.push(result);
          const mark = result.ok ? "✔" : "✖";
          process.stdout.write(`\n${mark} ${file.path} (${result.wallS.toFixed(1)} s, ${result.cpuS.toFixed(1)} s CPU)\n${result.output.trimEnd()}\n`);
          if (queue.length === 0 && running === 0) resolveAll();
          else startNext();
        });
      }
    };
    if (queue.length === 0) resolveAll();
    else startNext();
  });
  return results;
}

const options = parseArgs(process.argv.slice(2));
const paths = options.files.length ? options.files : collect("test");
const files = paths
  .sort()
  .map(describeFile)
  .filter((f) => options.files.length > 0 || options.tier === "all" || (options.tier === "unit") === !f.system);
const startedMs = Date.now();
const results = await runAll(files, options.jobs);
const wallS = (Date.now() - startedMs) / 1000;

const total = { tests: 0, pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
for (const r of results) for (const key of Object.keys(total)) total[key] += r.counts[key];
const failed = results.filter((r) => !r.ok);
console.log(`\n── ${results.length} files, ${options.jobs} at once, ${wallS.toFixed(0)} s wall, ${results.reduce((s, r) => s + r.cpuS, 0).toFixed(0)} s CPU`);
for (const r of [...results].sort((a, b) => b.wallS - a.wallS).slice(0, 12)) {
  console.log(`   ${r.wallS.toFixed(1).padStart(6)} s  ${r.cpuS.toFixed(1).padStart(6)} s CPU  ${r.ok ? " " : "✖"} ${r.file.path}`);
}
console.log(`tests ${total.tests}, pass ${total.pass}, fail ${total.fail}, cancelled ${total.cancelled}, skipped ${total.skipped}, todo ${total.todo}`);
if (failed.length) console.log(`failed files:\n${failed.map((r) => `  ${r.file.path} (exit ${r.code})`).join("\n")}`);

const durations = readDurations();
for (const r of results) durations[r.file.path] = Math.round(r.wallS * 10) / 10;
try {
  mkdirSync(".cache", { recursive: true });
  writeFileSync(durationsPath, `${JSON.stringify(durations, null, 1)}\n`);
} catch {}
process.exit(failed.length ? 1 : 0);
