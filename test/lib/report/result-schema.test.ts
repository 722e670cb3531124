// result.json is a contract: what every command writes validates against its committed schema,
// and anything else is refused on one line naming the file and the first violation.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseGateSpec } from "../../../src/lib/gate/index.js";
import { findSchemaViolation, loadRunResult, renderRunReports } from "../../../src/lib/report/index.js";
import { runTwStorm } from "../../../src/lib/storm/index.js";
import { benchWith } from "../../helpers/bench.js";
import { stormOptions } from "../storm/storm-flags.js";
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

test("the synthetic result the renderer tests draw is schema-valid too", () => {
  assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(syntheticBenchResult({ durationS: 5 })))), null);
  assert.equal(findSchemaViolation(JSON.parse(JSON.stringify(syntheticBenchResult({ durationS: 5, hostile: "</script>|x" })))), null);
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
