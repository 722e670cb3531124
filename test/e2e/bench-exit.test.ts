// test: system, group media
// A finished run leaves nothing that holds the process: once runBench returns, no timer of its own is
// pending and no socket is open, so `avsync bench` exits when its result is written. A planned-duration
// timer left running after the senders finished once held `bench --duration 3` 9 s past its result
// (15 s in all), and every CLI test with it.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { runBench } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";

test("once runBench returns, nothing of the run keeps the process alive", async () => {
  const before = process.getActiveResourcesInfo();
  const result = await runBench({ durationS: 2, mode: "paced", pattern: {}, injections: noInjections, flags: {} });
  assert.equal(result.complete, true, result.incompleteReason ?? "");
  // Close callbacks (sockets, worker ports) run on the next turns of the loop.
  await new Promise((resolve) => setImmediate(resolve));
  const left = process.getActiveResourcesInfo();
  const count = (list: string[], name: string) => list.filter((r) => r === name).length;
  for (const kind of ["Timeout", "TCPSocketWrap", "TCPServerWrap", "UDPWrap", "MessagePort"]) {
    assert.ok(count(left, kind) <= count(before, kind), `${kind} left after the run: before ${JSON.stringify(before)}, after ${JSON.stringify(left)}`);
  }
});
