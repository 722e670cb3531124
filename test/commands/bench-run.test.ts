// test: system, group media
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
    // The summary prints the run's own verdict. Whether that verdict is right is judged against what the
    // pusher really sent in test/e2e/bench-injections.test.ts: here, with a core busy, arrival read
    // +78 ms against the sender clock's +40 and the verdict was rightly "mixed".
    const { errorKind } = JSON.parse(readFileSync(join(out, "result.json"), "utf8")).probe;
    assert.ok(human.stderr.includes(`error kind: ${errorKind.kind} — ${errorKind.explanation}`), human.stderr);
    assert.match(human.stderr, /Verdict \(ITU-R BT\.1359 detectability -125…\+45 ms\): PASS/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("Ctrl-C ends the run early: exit 130, what was measured is written and marked incomplete", async () => {
  const { spawn } = await import("node:child_process");
  const out = mkdtempSync(join(tmpdir(), "avsync-bench-int-"));
  let child: ReturnType<typeof spawn> | undefined;
  try {
    child = spawn(process.execPath, [new URL("../../bin/run.js", import.meta.url).pathname, "bench", "--duration", "30", "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    // Interrupted 3 s after bench says media flows (two markers and 150 audio packets at the pusher's pace).
    const deadline = Date.now() + 60_000;
    while (!stderr.includes("receiving media") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(stderr, /receiving media/, "media flowed within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 3000));
    child.kill("SIGINT");
    const code = await new Promise((resolve) => child!.once("exit", resolve));
    assert.equal(code, 130);
    const written = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    assert.equal(written.complete, false);
    assert.match(written.incompleteReason, /interrupted/);
    assert.ok(written.received.audioPackets > 50, `${written.received.audioPackets} audio packets kept`);
    assert.ok(written.probe.markers.paired >= 1, "markers measured before the interrupt are kept");
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    rmSync(out, { recursive: true, force: true });
  }
});
