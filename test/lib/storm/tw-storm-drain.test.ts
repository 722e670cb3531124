// test: system
import assert from "node:assert/strict";
import { test } from "node:test";
import { runTwStorm } from "../../../src/lib/storm/index.js";
import { isRoot, stormOptions } from "./storm-flags.js";

// Acceptance: TIME_WAIT lasts TCP_TIMEWAIT_LEN (60 s), so the last sockets go 60 ± 3 s after the last close.
test("the last TIME_WAIT sockets drain 60 ± 3 s after the last close", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ close: "client-terminate", cycles: 300, rate: 300, drain: 70 }));
  assert.equal(result.timeWait.atStormEnd.client, 300);
  assert.equal(result.timeWait.drainedToBaseline, true);
  t.diagnostic(`drained ${result.timeWait.drainS} s after the last close`);
  // The drain lies between the last reading above the baseline and the one that found it drained.
  const { drainS, drainResolutionS } = result.timeWait;
  assert.ok(drainResolutionS !== null && drainResolutionS !== undefined, "the drain's resolution is stated");
  assert.ok(drainS! >= 57 && drainS! - drainResolutionS <= 63, `drained ${drainS} s after the last close, readings ${drainResolutionS} s apart`);
  const lastCloseMs = result.cycles.lastCloseS! * 1000;
  const clientSeries = result.series.sockstat.client!;
  assert.ok(clientSeries.some(([tMs, tw]) => tMs > lastCloseMs + 55_000 && tw > 0), "TIME_WAIT still present 55 s after the last close");
  const timers = result.series.twTimers.find(([tMs]) => tMs > lastCloseMs + 10_000)![1];
  assert.ok(Object.keys(timers).every((remainingS) => Number(remainingS) <= 50), JSON.stringify(timers));
});
