// test: system, group media
// result.json is a contract: what every command writes validates against its committed schema,
// and anything else is refused on one line naming the file and the first violation.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runDoctor } from "../../../src/lib/doctor/index.js";
import { writeResultJson } from "../../../src/lib/run/index.js";
import { findSchemaViolation, loadRunResult } from "../../../src/lib/results/index.js";
import { reportFromFile } from "../../../src/lib/report/index.js";
import { benchWith } from "../../helpers/bench.js";
import { syntheticBenchResult } from "./synthetic-bench-result.js";

test("a real bench result validates against schema/bench-result.v1.schema.json", async () => {
  const result = await benchWith({ durationS: 3 });
  assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(result))), null);
});

// Issue 4's contract holds for every command: doctor writes a versioned, validated result too (tw-storm,
// restart-test and tw-storm --matrix: storm-result-schema.test.ts, in the storm group).
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
