// `bench --cleanup` removes the Chromium profiles (and processes) of avsync runs that are gone,
// and leaves those of a live avsync alone.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { findProcessesMentioning } from "../../src/lib/browser/index.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

test("bench --cleanup removes stale profiles and kills what still uses them; a live owner's profile stays", async () => {
  const tmp = tempDir("avsync-cleanup-");
  const deadPid = spawnSync(process.execPath, ["-e", "0"]).pid!;
  const stale = join(tmp, `avsync-chromium-${deadPid}-abc123`);
  const live = join(tmp, `avsync-chromium-${process.pid}-def456`);
  mkdirSync(stale);
  mkdirSync(live);
  // Stands in for a Chromium helper that outlived its avsync: its command line names the profile.
  const straggler = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)", `--user-data-dir=${stale}`], { stdio: "ignore" });
  const gone = new Promise((resolve) => straggler.once("exit", resolve));
  try {
    const { code, stderr, stdout } = await runCli(["bench", "--cleanup", "--json"], 30_000, { TMPDIR: tmp });
    assert.equal(code, 0, stderr);
    assert.deepEqual(JSON.parse(stdout), { removed: [stale] });
    assert.ok(!existsSync(stale), "the stale profile is removed");
    assert.ok(existsSync(live), "a live avsync's profile stays");
    await gone;
    assert.deepEqual(findProcessesMentioning(stale), []);
    const again = await runCli(["bench", "--cleanup"], 30_000, { TMPDIR: tmp });
    assert.match(again.stderr, /^nothing to remove$/m);
  } finally {
    straggler.kill("SIGKILL");
  }
});
