// test: unit
import assert from "node:assert/strict";
import { test } from "node:test";
import { Progress } from "../../../src/lib/cli/progress.js";

function progressOn(options: { json?: boolean; isTTY?: boolean; env?: NodeJS.ProcessEnv }) {
  const logged: string[] = [];
  const written: string[] = [];
  const progress = new Progress(options.json ?? false, (line) => logged.push(line), { isTTY: options.isTTY, write: (text) => written.push(text) }, options.env ?? {});
  progress.note("… connecting");
  progress.status("3/10 s");
  progress.status("4/10 s");
  progress.note("… measuring");
  progress.end();
  return { logged, written };
}

test("on a terminal the status line is redrawn in place and ended before a line that stays", () => {
  assert.deepEqual(progressOn({ isTTY: true }), { logged: ["… connecting", "… measuring"], written: ["\r\x1b[K3/10 s", "\r\x1b[K4/10 s", "\n"] });
});

test("a pipe, CI and --json get no status line; --json gets no lines at all", () => {
  assert.deepEqual(progressOn({ isTTY: false }), { logged: ["… connecting", "… measuring"], written: [] });
  assert.deepEqual(progressOn({ isTTY: true, env: { CI: "true" } }), { logged: ["… connecting", "… measuring"], written: [] });
  assert.deepEqual(progressOn({ isTTY: true, json: true }), { logged: [], written: [] });
});
