// How long `avsync --help` and `avsync bench --help` take from a cold process, beside bare node: each
// run is a new process, the three interleaved, repeated; medians and the spread printed. Needs the
// build (`npm run build`: dist/ and oclif.manifest.json).
//   node --import tsx scripts/perf-help.ts [repeats]      (default 21)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const repeats = Number(process.argv[2] ?? 21);
if (!Number.isInteger(repeats) || repeats < 3) {
  console.error(`Expected a repeat count of at least 3, got \`${process.argv[2]}\`.`);
  process.exit(2);
}
if (!existsSync(`${root}/oclif.manifest.json`)) {
  console.error("No oclif.manifest.json: run `npm run build` first.");
  process.exit(2);
}

const cases: Record<string, string[]> = {
  "node -e 0": ["-e", "0"],
  "avsync --help": ["bin/run.js", "--help"],
  "avsync bench --help": ["bin/run.js", "bench", "--help"],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));

for (let i = 0; i < repeats; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = performance.now();
    const run = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
    const ms = performance.now() - t0;
    if (run.status !== 0) {
      console.error(`${name} exited ${run.status}: ${run.stderr}`);
      process.exit(1);
    }
    times[name].push(ms);
  }
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const bare = quantile(times["node -e 0"], 0.5);
console.log(`${repeats} cold processes each, interleaved; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}`);
for (const [name, values] of Object.entries(times)) {
  const median = quantile(values, 0.5);
  console.log(
    `${name.padEnd(22)} median ${(median / 1000).toFixed(3)} s  (p10 ${(quantile(values, 0.1) / 1000).toFixed(3)}, p90 ${(quantile(values, 0.9) / 1000).toFixed(3)})  ${(median / bare).toFixed(1)}× bare node`,
  );
}
