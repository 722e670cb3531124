// A regression: Ctrl-C while waiting for a silent target's answer was ignored until the signaling
// timeout (58 s with --signaling-timeout 60). Now the run stops at once and writes what it has.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { startSilentWsTarget } from "../helpers/hostile-targets.js";
import { tempDir } from "../helpers/temp-dir.js";

const bin = fileURLToPath(new URL("../../bin/run.js", import.meta.url));

test("Ctrl-C while a silent target keeps the offer: exit 130 at once, result.json written", { timeout: 60_000 }, async (t) => {
  const out = tempDir("avsync-interrupt-");
  const silent = await startSilentWsTarget();
  try {
    const bench = spawn(process.execPath, [bin, "bench", "--target", `ws://${silent.host}/ws`, "--signaling-timeout", "60", "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const connecting = new Promise<void>((resolve) =>
      bench.stderr!.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes("connecting to")) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => bench.once("exit", (code) => resolve(code)));
    await connecting;
    // Let the offer reach the target, so the wait is for its answer.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const sentAt = performance.now();
    bench.kill("SIGINT");
    const code = await exited;
    const tookS = (performance.now() - sentAt) / 1000;
    t.diagnostic(`exit ${tookS.toFixed(2)} s after SIGINT`);
    assert.equal(code, 130, stderr);
    const result = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    assert.equal(result.complete, false);
    assert.match(result.incompleteReason, /interrupted/);
    // Measured 0.04–0.05 s here (nothing to decode, and a run without media draws no chart); 3 s
    // leaves room for a neighbour holding a core, and stays far below the 58 s the old code waited.
    assert.ok(tookS < 3, `${tookS.toFixed(2)} s after SIGINT`);
  } finally {
    await silent.close();
  }
});
