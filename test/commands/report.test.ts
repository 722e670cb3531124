// `avsync report` through the built CLI: re-render from result.json alone, compare two runs,
// refuse a bad file on one line.
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeResultJson } from "../../src/lib/run/index.js";
import { runCli } from "../helpers/cli.js";
import { syntheticBenchResult } from "../lib/report/synthetic-bench-result.js";

const root = mkdtempSync(join(tmpdir(), "avsync-report-cmd-"));
after(() => rmSync(root, { recursive: true, force: true }));

function runFolder(name: string, contentOffsetMs: number): string {
  const folder = join(root, name);
  mkdirSync(folder, { recursive: true });
  writeResultJson(folder, syntheticBenchResult({ durationS: 20, contentOffsetMs }));
  return folder;
}

test("avsync report re-renders every output from result.json; gated, it exits 1 and says which check failed", async () => {
  const late = runFolder("late", 60);
  const plain = await runCli(["report", late]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(readdirSync(late).filter((f) => !f.endsWith(".png")).sort(), ["report.html", "result.json", "summary.md"]);
  assert.match(plain.stderr, /Report: .*late\/report\.html/);
  assert.equal(plain.stdout, "");

  const gated = await runCli(["report", join(late, "result.json"), "--gate", "itu-detect", "--threshold", "continuity.video.discontinuities == 0"]);
  assert.equal(gated.code, 1, gated.stderr);
  assert.match(gated.stderr, /FAIL {2}itu-detect: offset\.content within -125…\+45 ms — .*worst marker \+60\.\d ms is 15\.\d ms above \+45 ms/);
  assert.match(gated.stderr, /^Error: Gate failed: .*15\.\d ms above \+45 ms/m);
  assert.match(readFileSync(join(late, "junit.xml"), "utf8"), /failures="1"/);

  const json = await runCli(["report", late, "--threshold", "offset.content.p95 < 100", "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stdout);
  assert.equal(summary.gate.pass, true);
  assert.equal(summary.exitCode, 0);
});

test("avsync report --compare shows the regression in the HTML and the Markdown", async () => {
  const base = runFolder("base", 0);
  const head = runFolder("head", 60);
  const out = join(root, "compare");
  const { code, stderr } = await runCli(["report", "--compare", base, head, "--out", out]);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /Regressed: offset\.content\.maxAbs 0\.\d+ → 60\.\d+ ms/);
  const md = readFileSync(join(out, "summary.md"), "utf8");
  assert.match(md, /\| `offset\.content\.maxAbs` \| 0\.\d+ ms \| 60\.\d+ ms \| \+60\.\d+ ms \| 🔴 \*\*REGRESSED\*\* \|/);
  assert.match(md, /\| `offset\.transport\.p50` \|.*⚪ same \|/);
  const html = readFileSync(join(out, "report.html"), "utf8");
  assert.match(html, /<code>offset\.content\.maxAbs<\/code><\/td><td class="num">0\.\d+ ms<\/td><td class="num">60\.\d+ ms<\/td><td class="num">\+60\.\d+ ms<\/td><td class="num">[^<]+<\/td><td class="st regressed">▲ REGRESSED/);

  const gated = await runCli(["report", "--compare", base, head, "--out", out, "--max-regression", "10%"]);
  assert.equal(gated.code, 1, gated.stderr);
  assert.match(readFileSync(join(out, "junit.xml"), "utf8"), /name="baseline offset\.content\.maxAbs"[^>]*>\s*<failure/);
});

test("a malformed or wrong-version result.json gets a one-line error naming the file and the first violation", async () => {
  const bad = join(root, "bad.json");
  writeFileSync(bad, JSON.stringify({ ...syntheticBenchResult({ durationS: 3 }), schemaVersion: 7 }));
  const wrongVersion = await runCli(["report", bad]);
  assert.equal(wrongVersion.code, 2);
  assert.match(wrongVersion.stderr, /^Error: `.*bad\.json` is not a valid avsync result: `schemaVersion` is 7; this avsync reads avsync\/bench-result version 1\.\n$/);
  const malformed = syntheticBenchResult({ durationS: 3 }) as unknown as { received: Record<string, unknown> };
  malformed.received.audioPackets = -1;
  writeFileSync(bad, JSON.stringify(malformed));
  const invalid = await runCli(["report", bad]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /^Error: `.*bad\.json` is not a valid avsync result: \/received\/audioPackets must be >= 0\.\n$/);
  const typo = await runCli(["report", join(root, "base"), "--threshold", "offset.contnt.p95 < 3"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^Error: Unknown metric in threshold `offset\.contnt\.p95 < 3`/);
  const lonely = await runCli(["report", "--compare", join(root, "base")]);
  assert.equal(lonely.code, 2);
  assert.match(lonely.stderr, /`--compare` needs two runs/);
});

// A regression: a result whose worstSession named a method avsync does not know crashed `report`
// with "Cannot read properties of undefined"; the schema now names the methods, so it is refused on one line.
test("a result with an unknown worstSession.method is refused on one line, not a crash", async () => {
  const folder = join(root, "odd-method");
  mkdirSync(folder, { recursive: true });
  const result = syntheticBenchResult({ durationS: 3, sessions: 3 });
  (result.aggregate!.worstSession as { method: string }).method = "banana";
  writeResultJson(folder, result);
  const { code, stderr } = await runCli(["report", folder]);
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^Error: `.*result\.json` is not a valid avsync result: \/aggregate\/worstSession\/method must be equal to one of the allowed values\.\n$/);
});
