// A short real run through the CLI: the human summary on stderr, the same object on stdout with
// --json as in result.json.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCli } from "../helpers/cli.js";

test("avsync bench --json prints the result that result.json holds; the summary goes to stderr", async () => {
  const out = mkdtempSync(join(tmpdir(), "avsync-bench-"));
  try {
    const { code, stdout, stderr } = await runCli(["bench", "--duration", "3", "--content-offset-ms", "40", "--json", "--out", out]);
    assert.equal(code, 0, stderr);
    const printed = JSON.parse(stdout);
    const written = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    assert.deepEqual(printed, written);
    assert.equal(printed.schema, "avsync/bench-result");
    assert.equal(printed.complete, true);
    assert.ok(Math.abs(printed.probe.content.senderOffsetMs.p50 - 40) <= 1, `sender-clock offset ${printed.probe.content.senderOffsetMs.p50}`);

    const human = await runCli(["bench", "--duration", "3", "--content-offset-ms", "40", "--out", out]);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, "");
    assert.match(human.stderr, /content, sender clock \(SR\)\s+mean\s+40\.\d/);
    assert.match(human.stderr, /error kind: content-offset/);
    assert.match(human.stderr, /Verdict \(ITU-R BT\.1359 detectability -125…\+45 ms\): PASS/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
