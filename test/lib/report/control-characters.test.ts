// A regression: ESC and BEL bytes in a target's text reached the terminal and summary.md raw, and a
// 5 MB refusal message became a 16 MB report.html. Every output now shows such text inert and short.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseGateSpec } from "../../../src/lib/gate/index.js";
import { renderBenchSummary, renderGateSummary, renderRunReports } from "../../../src/lib/report/index.js";
import { syntheticBenchResult } from "./synthetic-bench-result.js";

// What a terminal would act on: any C0/C1 control but newline, and the bidi overrides.
const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test("ESC, BEL and bidi overrides from a target reach no output raw; a 5 MB text stays a few kB", async () => {
  const folder = mkdtempSync(join(tmpdir(), "avsync-controls-"));
  try {
    const hostile = `refused\x1b]0;owned\x07\x1b[2J\x1b[31mred\u202eevil${"\x1b".repeat(5_000_000)}`;
    const result = syntheticBenchResult({ durationS: 5, sessions: 3, hostile });
    const finished = await renderRunReports(folder, result, parseGateSpec({ gate: ["itu-detect"] }, "bench", null));
    for (const file of ["report.html", "summary.md", "junit.xml"]) {
      const text = readFileSync(join(folder, file), "utf8");
      assert.doesNotMatch(text, raw, `${file} carries a raw control character`);
      assert.ok(text.includes("refused\\x1b]0;owned\\x07") || text.includes("refused\\\\x1b\\]0;owned\\\\x07"), `${file} shows the escapes`);
    }
    const htmlBytes = statSync(join(folder, "report.html")).size;
    const mdBytes = statSync(join(folder, "summary.md")).size;
    // report.html inlines Chart.js (≈ 200 kB); summary.md must fit a pull-request comment (65,536 characters).
    assert.ok(htmlBytes < 1_000_000, `report.html is ${htmlBytes} bytes`);
    assert.ok(mdBytes < 65_536, `summary.md is ${mdBytes} bytes`);
    const terminal = `${renderBenchSummary(result, folder)}\n${renderGateSummary(finished.gate!)}`;
    assert.doesNotMatch(terminal, raw);
    assert.ok(terminal.length < 50_000, `terminal text is ${terminal.length} characters`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
