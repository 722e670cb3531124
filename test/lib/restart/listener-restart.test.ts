// test: system
import assert from "node:assert/strict";
import { test } from "node:test";
import { expectedRebind, runListenerRestartTest, type RestartRow } from "../../../src/lib/restart/index.js";

const outcome = (row: RestartRow): string => (row.bind !== "ok" ? row.bind : row.listen!);

test("the kernel's rules, as avsync states them", () => {
  assert.equal(expectedRebind(["SO_REUSEADDR"], ["SO_REUSEADDR"], false), "ok");
  assert.equal(expectedRebind(["SO_REUSEPORT"], ["SO_REUSEPORT"], false), "ok");
  assert.equal(expectedRebind(["SO_REUSEADDR"], ["SO_REUSEPORT"], false), "EADDRINUSE");
  assert.equal(expectedRebind(["SO_REUSEADDR"], ["SO_REUSEADDR"], true), "EADDRINUSE");
});

// Acceptance: a listener restarted over its own server-side TIME_WAIT, every option combination, measured.
test("the restart table matches the kernel's behaviour", async (t) => {
  const result = await runListenerRestartTest({ connectionsPerCase: 20, topology: "auto" });
  t.diagnostic(`${result.topology} ${result.address}, ${result.rows.length} rows, ${result.meta.durationS?.toFixed(1)} s`);
  const row = (old: string[], replacement: string[], oldListening = false, implementation = "python"): RestartRow =>
    result.rows.find((candidate) => candidate.implementation === implementation && candidate.oldListening === oldListening && candidate.old.join() === old.join() && candidate.new.join() === replacement.join())!;
  assert.equal(result.rows.length, 34);
  assert.ok(result.rows.every((candidate) => candidate.serverTimeWait === 20), "every old listener left 20 server-side TIME_WAIT");
  assert.equal(outcome(row(["SO_REUSEADDR"], ["SO_REUSEADDR"])), "ok");
  assert.equal(outcome(row(["SO_REUSEPORT"], ["SO_REUSEPORT"])), "ok");
  assert.equal(outcome(row(["SO_REUSEADDR"], ["SO_REUSEPORT"])), "EADDRINUSE");
  assert.equal(outcome(row(["SO_REUSEPORT"], ["SO_REUSEADDR"])), "EADDRINUSE");
  assert.equal(outcome(row([], ["SO_REUSEADDR"])), "EADDRINUSE");
  assert.equal(outcome(row(["SO_REUSEADDR"], ["SO_REUSEADDR"], true)), "EADDRINUSE", "SO_REUSEADDR never binds next to a live listener");
  assert.equal(outcome(row(["SO_REUSEPORT"], ["SO_REUSEPORT"], true)), "ok", "SO_REUSEPORT lets two listeners share the port");
  assert.equal(outcome(row(["SO_REUSEADDR"], ["SO_REUSEADDR"], false, "node")), "ok", "Node restarts over its own TIME_WAIT");
  assert.equal(result.mismatches, 0);
});
