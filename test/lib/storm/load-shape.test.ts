import assert from "node:assert/strict";
import { test } from "node:test";
import { Parser } from "@oclif/core";
import { twStormFlags } from "../../../src/lib/cli/tw-storm-flags.js";
import { createLoadShape, meanRatePerS, splitLoadShape } from "../../../src/lib/storm/index.js";
import { stormOptions } from "./storm-flags.js";

test("a constant shape is due rate × t cycles", () => {
  assert.equal(createLoadShape({ kind: "constant", ratePerS: 400 }).cyclesDueBy(2.5), 1000);
});

test("a ramp integrates its linear rate, then holds", () => {
  const ramp = createLoadShape({ kind: "ramp", fromPerS: 0, toPerS: 100, rampS: 10 });
  assert.equal(ramp.cyclesDueBy(10), 500);
  assert.equal(ramp.cyclesDueBy(12), 700);
});

test("a burst starts its cycles at once each period", () => {
  const burst = createLoadShape({ kind: "burst", burstCycles: 50, periodS: 2 });
  assert.equal(burst.cyclesDueBy(0), 50);
  assert.equal(burst.cyclesDueBy(1.99), 50);
  assert.equal(burst.cyclesDueBy(2), 100);
  // Over 4 s the bursts at 0 and 2 s start; the one due at 4 s would come after the storm. (It was
  // counted once, and a 3 s storm of 150/s bursts predicted 200/s.)
  assert.equal(meanRatePerS({ kind: "burst", burstCycles: 50, periodS: 2 }, 4), 25);
  assert.equal(meanRatePerS({ kind: "burst", burstCycles: 150, periodS: 1 }, 3), 150);
  assert.equal(meanRatePerS({ kind: "burst", burstCycles: 50, periodS: 2 }, 4.5), 150 / 4.5);
});

test("workers split a shape into equal shares", () => {
  assert.deepEqual(splitLoadShape({ kind: "constant", ratePerS: 900 }, 3), { kind: "constant", ratePerS: 300 });
});

test("options are bounded and bad values quoted back", async () => {
  const options = stormOptions({ cycles: 2500, rate: 400 });
  assert.equal(options.cycles, 2500);
  assert.equal(options.durationS, 2500 / 400 + 30);
  assert.equal(stormOptions({}).durationS, 10);
  // Numbers are parsed as oclif reads the flags.
  const parse = (argv: string[]) => Parser.parse(argv, { flags: twStormFlags });
  await assert.rejects(parse(["--rate", "abc"]), /Expected `--rate` to be a positive number, got `abc`\./);
  await assert.rejects(parse(["--duration", "9999"]), /Expected `--duration` to be at most 600, got `9999`\./);
  assert.equal((await parse(["--drain", "0", "--rate", "2.5"])).flags.rate, 2.5);
  assert.throws(() => stormOptions({ target: "ws://127.0.0.1:1/", close: "server-terminate" }), /got `server-terminate`/);
  assert.throws(() => stormOptions({ topology: "loopback", sysctl: ["net.ipv4.tcp_tw_reuse=1"] }), /never on the host/);
  assert.throws(() => stormOptions({ protocol: "http", shape: "burst" }), /got `burst`/);
});
