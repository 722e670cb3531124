// test: system, group storm
// result.json is a contract (result-schema.test.ts): what tw-storm, restart-test and tw-storm --matrix
// write validates against their committed schemas. These run storms, so they share the storm group.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseGateSpec } from "../../../src/lib/gate/index.js";
import { parseMatrixAxis, runSysctlMatrix } from "../../../src/lib/matrix/index.js";
import { findSchemaViolation } from "../../../src/lib/results/index.js";
import { renderRunReports } from "../../../src/lib/report/index.js";
import { runListenerRestartTest } from "../../../src/lib/restart/index.js";
import { runTwStorm } from "../../../src/lib/storm/index.js";
import { isRoot, stormOptions } from "../storm/storm-flags.js";

test("a real tw-storm result validates against schema/tw-storm-result.v1.schema.json and renders its charts", async () => {
  const result = await runTwStorm(stormOptions({ topology: "loopback", cycles: 60, rate: 200, drain: 0 }));
  assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(result))), null);
  const folder = mkdtempSync(join(tmpdir(), "avsync-storm-render-"));
  try {
    const finished = await renderRunReports(folder, result, parseGateSpec({ threshold: ["tw.max < 20000", "cycles.failed == 0"] }, "tw-storm", null));
    assert.equal(finished.exitCode, 0, JSON.stringify(finished.gate));
    assert.deepEqual(readdirSync(folder).sort(), ["connect-latency.png", "cycles-per-second.png", "errors-by-errno.png", "junit.xml", "report.html", "summary.md", "time-wait.png"]);
    assert.match(readFileSync(join(folder, "summary.md"), "utf8"), /\| tw\.max &lt; 20000 \| ✅ pass \|/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test(
  "a real restart-test result validates against schema/restart-test-result.v1.schema.json",
  { skip: !isRoot ? "needs root: the restart test runs in a network namespace of its own" : !existsSync("/usr/bin/python3") && "needs /usr/bin/python3 (apt-get install python3)" },
  async () => {
    const result = JSON.parse(JSON.stringify(await runListenerRestartTest({ connectionsPerCase: 5, topology: "auto" })));
    assert.equal(findSchemaViolation(result), null);
    assert.match(findSchemaViolation({ ...result, rows: [{ ...result.rows[0], old: ["SO_LINGER"] }] })!, /^\/rows\/0\/old\/0 must be equal to one of the allowed values/);
  },
);

test("a real tw-storm --matrix result validates against schema/tw-storm-matrix-result.v1.schema.json", { skip: !isRoot && "needs root: every matrix cell runs in network namespaces" }, async (t) => {
  const result = await runSysctlMatrix(stormOptions({ cycles: 200, drain: 0 }), [parseMatrixAxis("net.ipv4.tcp_tw_reuse=0,1")], 2);
  t.diagnostic(`matrix of ${result.cells.length} cells in ${result.meta.durationS?.toFixed(1)} s`);
  assert.ok(result.cells.every((cell) => cell.storm !== null && cell.summary?.portReuse), JSON.stringify(result.cells.map((cell) => cell.error)));
  const data = JSON.parse(JSON.stringify(result));
  assert.equal(findSchemaViolation(data), null);
  assert.match(findSchemaViolation({ ...data, parallelCells: 0 })!, /^\/parallelCells must be >= 1/);
  data.cells[1].storm.cycles.started = "many";
  assert.match(findSchemaViolation(data)!, /^\/cells\/1\/storm /, "each cell's storm is held to the tw-storm schema");
});
