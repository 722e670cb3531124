// Render benchmark for the report room: a synthetic 10-minute bench result (≈ 50k audio and 30k
// video frames, 600 markers) → report.html and every PNG, timed per output. The budget is 3 s for
// HTML + PNGs together. Run: node --import tsx scripts/perf-report.ts [durationS]
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chartSpecsFor, reportOutputs, type ReportInput } from "../src/lib/report/index.js";
import { syntheticBenchResult } from "../test/lib/report/synthetic-bench-result.js";

const durationS = Number(process.argv[2] ?? 600);
const folder = mkdtempSync(join(tmpdir(), "avsync-perf-report-"));
const result = syntheticBenchResult({ durationS });
const json = JSON.stringify(result);
const time = async <T>(fn: () => Promise<T> | T): Promise<[T, number]> => {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
};

try {
  console.log(`synthetic bench result: ${durationS} s, result.json ${(json.length / 1e6).toFixed(1)} MB`);
  // The first round pays module loading and canvas/font setup; the second is the steady state.
  for (const round of ["cold", "warm"]) {
    const [charts, specsMs] = await time(() => chartSpecsFor(result));
    const input: ReportInput = { kind: "run", run: { label: "perf", result, charts }, gate: null };
    const figures: string[] = [`chart specs ${specsMs.toFixed(0)} ms`];
    let htmlPngMs = specsMs;
    for (const output of reportOutputs) {
      const [files, ms] = await time(() => output.write(input, folder));
      if (output.name === "html" || output.name === "png") htmlPngMs += ms;
      const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
      figures.push(`${output.name} ${ms.toFixed(0)} ms (${files.length} files, ${(bytes / 1e3).toFixed(0)} kB)`);
    }
    console.log(`${round}: ${figures.join(", ")}`);
    console.log(`${round}: HTML + all PNGs ${htmlPngMs.toFixed(0)} ms (budget 3000 ms) ${htmlPngMs <= 3000 ? "OK" : "OVER BUDGET"}`);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
