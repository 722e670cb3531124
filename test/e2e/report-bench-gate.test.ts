// test: system, group media
// The acceptance run: `avsync bench --gate itu-detect` exits 0 on a clean run and 1 at +60 ms
// (outside +45), with junit.xml and summary.md naming the failed check and by how much.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { findSchemaViolation } from "../../src/lib/results/index.js";
import { runCli } from "../helpers/cli.js";

const root = mkdtempSync(join(tmpdir(), "avsync-bench-gate-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("bench --gate itu-detect passes a clean run: exit 0, the whole run folder, junit.xml all green", async () => {
  const out = join(root, "clean");
  const { code, stderr } = await runCli(["bench", "--duration", "3", "--gate", "itu-detect", "--out", out]);
  assert.equal(code, 0, stderr);
  const files = readdirSync(out).sort();
  for (const name of ["result.json", "report.html", "summary.md", "junit.xml", "offset-over-time.png"]) assert.ok(files.includes(name), `${name} in ${files}`);
  assert.equal(findSchemaViolation(JSON.parse(readFileSync(join(out, "result.json"), "utf8"))), null);
  assert.match(readFileSync(join(out, "junit.xml"), "utf8"), /tests="2" failures="0"/);
  assert.match(readFileSync(join(out, "summary.md"), "utf8"), /\*\*✅ PASS\*\* — gate: 2 of 2 checks passed/);
  assert.match(stderr, /Gate: PASS, 2 of 2 checks passed/);
});

test("bench --gate itu-detect --content-offset-ms 60 exits 1; junit.xml and summary.md say which check failed and by how much", async () => {
  const out = join(root, "late");
  const { code, stderr } = await runCli(["bench", "--duration", "3", "--gate", "itu-detect", "--content-offset-ms", "60", "--out", out]);
  assert.equal(code, 1, stderr);
  assert.match(stderr, /^Error: Gate failed: ITU-R BT\.1359 detectability threshold: worst marker \+60\.\d ms is 15\.\d ms above \+45 ms/m);
  const junit = readFileSync(join(out, "junit.xml"), "utf8");
  assert.match(junit, /tests="2" failures="1"/);
  assert.match(junit, /name="itu-detect: offset\.content within -125…\+45 ms" time="0">\s*<failure type="gate" message="ITU-R BT\.1359 detectability threshold: worst marker \+60\.\d ms is 15\.\d ms above \+45 ms \(sender clock/);
  const md = readFileSync(join(out, "summary.md"), "utf8");
  assert.match(md, /\*\*❌ FAIL\*\* — gate: 1 of 2 checks passed/);
  assert.match(md, /\| itu-detect: offset\.content within -125…\+45 ms \| ❌ \*\*FAIL\*\* \| .*worst marker \+60\.\d ms is 15\.\d ms above \+45 ms/);
});
