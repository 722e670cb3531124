// test: system, group media
// result.json is a contract: what every command writes validates against its committed schema,
// and anything else is refused on one line naming the file and the first violation.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseGateSpec } from "../../../src/lib/gate/index.js";
import { runDoctor } from "../../../src/lib/doctor/index.js";
import { parseMatrixAxis, runSysctlMatrix } from "../../../src/lib/matrix/index.js";
import { findSchemaViolation, loadRunResult, renderRunReports, reportFromFile, writeResultJson } from "../../../src/lib/report/index.js";
import { runListenerRestartTest } from "../../../src/lib/restart/index.js";
import { runTwStorm } from "../../../src/lib/storm/index.js";
import { benchWith } from "../../helpers/bench.js";
import { isRoot, stormOptions } from "../storm/storm-flags.js";
import { syntheticBenchResult } from "./synthetic-bench-result.js";

test("a real bench result validates against schema/bench-result.v1.schema.json", async () => {
  const result = await benchWith({ durationS: 3 });
  assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(result))), null);
});

test("a real tw-storm result validates against schema/tw-storm-result.v1.schema.json and renders its charts", async () => {
  const result = await runTwStorm(stormOptions({ topology: "loopback", cycles: 60, rate: "200", drain: "0" }));
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

// Issue 4's contract holds for every command: doctor, restart-test and tw-storm --matrix write versioned, validated results too.
test("a real doctor report validates against schema/doctor-report.v1.schema.json, and `avsync report` writes its summary.md only", async () => {
  const report = JSON.parse(JSON.stringify(await runDoctor({})));
  assert.equal(findSchemaViolation(report), null);
  assert.match(findSchemaViolation({ ...report, findings: [{ ...report.findings[0], level: "fatal" }] })!, /^\/findings\/0\/level must be equal to one of the allowed values/);
  const dir = mkdtempSync(join(tmpdir(), "avsync-doctor-"));
  try {
    writeResultJson(dir, report);
    const summary = await reportFromFile(dir, {});
    assert.deepEqual(readdirSync(dir).sort(), ["result.json", "summary.md"]);
    assert.deepEqual(summary.files, [join(dir, "summary.md")]);
    assert.equal(summary.exitCode, 0);
    assert.match(readFileSync(join(dir, "summary.md"), "utf8"), /^# avsync doctor\n\n```text\navsync doctor — kernel /);
    await assert.rejects(reportFromFile(dir, { threshold: ["tw.max < 1"] }), /holds an avsync\/doctor-report result, which has no gate/);
    assert.throws(() => loadRunResult(dir), /is a valid avsync\/doctor-report result, but report\.html, charts, gates and comparisons exist for avsync\/bench-result and avsync\/tw-storm-result only/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
  const result = await runSysctlMatrix(stormOptions({ cycles: 200, drain: "0" }), [parseMatrixAxis("net.ipv4.tcp_tw_reuse=0,1")], 2);
  t.diagnostic(`matrix of ${result.cells.length} cells in ${result.meta.durationS?.toFixed(1)} s`);
  assert.ok(result.cells.every((cell) => cell.storm !== null && cell.summary?.portReuse), JSON.stringify(result.cells.map((cell) => cell.error)));
  const data = JSON.parse(JSON.stringify(result));
  assert.equal(findSchemaViolation(data), null);
  assert.match(findSchemaViolation({ ...data, parallelCells: 0 })!, /^\/parallelCells must be >= 1/);
  data.cells[1].storm.cycles.started = "many";
  assert.match(findSchemaViolation(data)!, /^\/cells\/1\/storm /, "each cell's storm is held to the tw-storm schema");
});

test("the synthetic result the renderer tests draw is schema-valid too", () => {
  assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(syntheticBenchResult({ durationS: 5 })))), null);
  assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(syntheticBenchResult({ durationS: 5, hostile: "</script>|x" })))), null);
  assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(syntheticBenchResult({ durationS: 5, sessions: 4, hostile: "</script>|x" })))), null);
});

test("a malformed or wrong-version result.json is refused on one line naming the file and the first violation", () => {
  const dir = mkdtempSync(join(tmpdir(), "avsync-schema-"));
  try {
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const valid = syntheticBenchResult({ durationS: 3 });
    const oneLine = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        const message = (error as Error).message;
        assert.doesNotMatch(message, /\n/);
        return message;
      }
      assert.fail("expected an error");
    };
    assert.match(oneLine(() => loadRunResult(write("v2.json", JSON.stringify({ ...valid, schemaVersion: 2 })))), /v2\.json` is not a valid avsync result: `schemaVersion` is 2; this avsync reads avsync\/bench-result version 1/);
    assert.match(oneLine(() => loadRunResult(write("other.json", JSON.stringify({ schema: "k6/summary" })))), /`schema` is "k6\/summary", expected one of avsync\/bench-result, avsync\/tw-storm-result/);
    assert.match(oneLine(() => loadRunResult(write("cut.json", JSON.stringify(valid).slice(0, 500)))), /cut\.json` is not valid JSON/);
    const broken = structuredClone(valid) as unknown as { probe: { content: { markers: Array<Record<string, unknown>> } } };
    broken.probe.content.markers[1]!.arrivalOffsetMs = "late";
    assert.match(oneLine(() => loadRunResult(write("broken.json", JSON.stringify(broken)))), /broken\.json` is not a valid avsync result: \/probe\/content\/markers\/1\/arrivalOffsetMs must be number/);
    assert.match(oneLine(() => loadRunResult(write("extra.json", JSON.stringify({ ...valid, surprise: 1 })))), /\/ has unexpected property `surprise`/);
    assert.match(oneLine(() => loadRunResult(join(dir, "missing"))), /Cannot read `.*missing`: no such file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
