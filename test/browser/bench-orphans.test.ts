// test: system, group browser
// A regression: `kill -9` of a `bench --probe node,browser` left a dozen Chromium processes running,
// DevTools port open, and the profile folder behind. A reaper process now outlives avsync and
// removes both.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { findProcessesMentioning } from "../../src/lib/browser/index.js";
import { tempDir } from "../helpers/temp-dir.js";
import { skipWithoutChromium } from "./helpers.js";

const bin = fileURLToPath(new URL("../../bin/run.js", import.meta.url));
const profiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.startsWith("avsync-chromium-"));

test("kill -9 of bench --probe node,browser leaves no Chromium and no profile", { skip: skipWithoutChromium, timeout: 90_000 }, async (t) => {
  // A temp dir of its own: every profile and process of this run names it.
  const tmp = tempDir("avsync-orphans-");
  const bench = spawn(process.execPath, [bin, "bench", "--probe", "node,browser", "--duration", "30", "--out", `${tmp}/out`], {
    stdio: "ignore",
    env: { ...process.env, TMPDIR: tmp },
  });
  const exited = new Promise((resolve) => bench.once("exit", resolve));
  try {
    const deadline = performance.now() + 40_000;
    // Chromium starts a dozen processes; wait until they are there and the page is playing.
    while (findProcessesMentioning(tmp).length < 3 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = findProcessesMentioning(tmp).length;
    assert.ok(before >= 3, `Chromium running (${before} processes)`);
    assert.equal(profiles(tmp).length, 1, "one profile in use");
    bench.kill("SIGKILL");
    await exited;
    const killedAt = performance.now();
    while ((findProcessesMentioning(tmp).length > 0 || profiles(tmp).length > 0) && performance.now() - killedAt < 10_000) await new Promise((resolve) => setTimeout(resolve, 100));
    const tookS = (performance.now() - killedAt) / 1000;
    t.diagnostic(`${before} browser processes and the profile gone ${tookS.toFixed(2)} s after kill -9`);
    assert.deepEqual(findProcessesMentioning(tmp), [], "every browser process is gone");
    assert.deepEqual(profiles(tmp), [], "the profile is removed");
  } finally {
    bench.kill("SIGKILL");
    for (const pid of findProcessesMentioning(tmp)) process.kill(pid, "SIGKILL");
  }
});
