import assert from "node:assert/strict";
import { test } from "node:test";
import { collectRunMetadata } from "../../../src/lib/run/index.js";
import { findSchemaViolation } from "../../../src/lib/results/index.js";
import { formatTwStormSummary } from "../../../src/lib/report/index.js";
import { assembleTwStormResult, predictTwStorm, type TwStormObservation } from "../../../src/lib/storm/index.js";
import { createStormBatch, recordCycleOutcome } from "../../../src/lib/storm/storm-batch.js";
import type { StormSamples } from "../../../src/lib/storm/storm-sampler.js";
import { addStormBatch, createStormTally, type StormTally } from "../../../src/lib/storm/storm-tally.js";
import { stormOptions } from "./storm-flags.js";

// Truth tests of every figure the result derives: storms whose every cycle is written down here, so each
// duration, rate, prediction, first failure and accounting part is known before the assembly computes it.

const startMs = 1_700_000_000_000;

interface KnownCycle {
  startMs: number;
  endMs: number;
  ok: boolean;
  port?: number;
  errno?: string;
}

// Feeds the cycles to a tally the way a worker's batches do: a start in the second it started, the outcome in the second it ended.
function tallyOf(cycles: KnownCycle[]): StormTally {
  const tally = createStormTally();
  const secondOf = (epochMs: number): number => Math.floor((epochMs - startMs) / 1000);
  for (const cycle of cycles) {
    const started = createStormBatch(0, secondOf(startMs + cycle.startMs));
    started.started = 1;
    addStormBatch(tally, started);
  }
  for (const cycle of cycles) {
    const ended = createStormBatch(0, secondOf(startMs + cycle.endMs));
    const connected = cycle.port !== undefined && cycle.errno === undefined;
    recordCycleOutcome(
      ended,
      {
        ok: cycle.ok,
        errno: cycle.errno,
        localPort: cycle.port,
        portEpochMs: startMs + cycle.startMs,
        ...(connected ? { connectUs: 300, handshakeUs: 1200, closeCode: 1006 } : {}),
      },
      startMs + cycle.endMs,
    );
    addStormBatch(tally, ended);
  }
  return tally;
}

// Sockstat every 100 ms from 300 ms before the start: the client holds the TIME_WAIT of every connected cycle ended by then.
function samplesOf(cycles: KnownCycle[], untilMs: number, holder: "client" | "server"): StormSamples {
  const series: Array<[number, number, number, number]> = [];
  for (let tMs = -300; tMs <= untilMs; tMs += 100) {
    series.push([startMs + tMs, cycles.filter((cycle) => cycle.port !== undefined && cycle.endMs <= tMs).length, 0, 0]);
  }
  const idle = series.map(([epochMs]) => [epochMs, 0, 0, 0] as [number, number, number, number]);
  return {
    sockstat: holder === "client" ? { client: series, server: idle } : { client: idle, server: series },
    ss: [[startMs + untilMs, { client: {}, server: {} }]],
    twTimers: [],
    tool: "ss",
    sockstatCostMs: [0.04, 0.06],
    ssCostMs: [20, 40],
  };
}

function observe(overrides: Partial<TwStormObservation> & Pick<TwStormObservation, "options" | "sysctls" | "tally" | "samples" | "stormEnd">): TwStormObservation {
  return {
    meta: collectRunMetadata("tw-storm", {}),
    target: "ws://10.213.0.2:8080/",
    topology: { kind: "netns", clientNamespace: "avsync-1-0-client", serverNamespace: "avsync-1-0-server" },
    stormStartEpochMs: startMs,
    baseline: { client: 0, server: 0 },
    counters: { before: { client: {}, server: {} }, after: overrides.stormEnd.counters },
    drainedEpochMs: undefined,
    server: undefined,
    complete: true,
    warnings: [],
    ...overrides,
  };
}

const namespaceDefaults = { "net.ipv4.tcp_tw_reuse": "2", "net.ipv4.tcp_tw_reuse_delay": "1000", "net.ipv4.tcp_timestamps": "1", "net.ipv4.tcp_max_tw_buckets": "131072", "net.ipv4.ip_local_port_range": "32768 60999" };

// Issue 18's exhaustion storm: 2,500 cycles at 400/s (one every 2.5 ms, the last at 6.25 s) through 1,000 ports
// without reuse; each connected cycle lasts 2 ms, each EADDRNOTAVAIL ends as it starts.
const exhaustion: KnownCycle[] = Array.from({ length: 2500 }, (_, index) => {
  const i = index + 1;
  const start = 2.5 * i;
  return i <= 1000 ? { startMs: start, endMs: start + 2, ok: true, port: 39999 + i } : { startMs: start, endMs: start, ok: false, errno: "EADDRNOTAVAIL" };
});
const exhaustionSysctls = { ...namespaceDefaults, "net.ipv4.ip_local_port_range": "40000 40999", "net.ipv4.tcp_tw_reuse": "0" };
const exhaustionResult = assembleTwStormResult(
  observe({
    options: stormOptions({ cycles: 2500, rate: 400, sysctl: ["net.ipv4.ip_local_port_range=40000 40999", "net.ipv4.tcp_tw_reuse=0"] }),
    sysctls: { client: exhaustionSysctls, server: exhaustionSysctls },
    tally: tallyOf(exhaustion),
    samples: samplesOf(exhaustion, 6500, "client"),
    stormEnd: {
      epochMs: startMs + 6500,
      timeWait: { client: 1000, server: 0 },
      census: { client: { TIME_WAIT: 1000 }, server: {} },
      counters: { client: { "Tcp.ActiveOpens": 1000, "TcpExt.TW": 1000 }, server: { "Tcp.PassiveOpens": 1000 } },
    },
  }),
);

test("exhaustion storm: duration and rate cover every cycle started, failures too (6.25 s, 400/s)", () => {
  const { cycles } = exhaustionResult;
  assert.deepEqual(
    { started: cycles.started, succeeded: cycles.succeeded, failed: cycles.failed },
    { started: 2500, succeeded: 1000, failed: 1500 },
  );
  assert.equal(cycles.stormDurationS, 6.25, "the last cycle (a failure) ended at 6.25 s");
  assert.equal(cycles.achievedRatePerS, 400);
  assert.equal(cycles.firstFailureS, 2.5025, "cycle 1,001 failed at 2.5025 s");
  assert.equal(cycles.lastCloseS, 2.502, "the last connected cycle (1,000) ended at 2.502 s");
});

test("exhaustion storm: per-second series count each start in its second and each outcome in the second it ended", () => {
  // Starts: cycles 1–399 in second 0, 400 a second, 2,400–2,500 in second 6. Successes end 2 ms after their
  // start, so cycle 399 (997.5 → 999.5 ms) ends in second 0 and 800 (2,000 → 2,002 ms) in second 2.
  assert.deepEqual(exhaustionResult.series.cyclesPerS, [
    [0, 399, 399, 0],
    [1000, 400, 400, 0],
    [2000, 400, 201, 199],
    [3000, 400, 0, 400],
    [4000, 400, 0, 400],
    [5000, 400, 0, 400],
    [6000, 101, 0, 101],
  ]);
  assert.deepEqual(exhaustionResult.series.errorsByErrno.map(([tMs, errors]) => [tMs, errors.EADDRNOTAVAIL]), [
    [2000, 199],
    [3000, 400],
    [4000, 400],
    [5000, 400],
    [6000, 101],
  ]);
  // Port occupancy at the end of each second: 399, 799 and then all 1,000 ports in TIME_WAIT.
  assert.deepEqual(exhaustionResult.series.connectLatency.map(([tMs, count, p50Us, , , occupancy]) => [tMs, count, p50Us, occupancy]), [
    [0, 399, 300, 0.399],
    [1000, 400, 300, 0.799],
    [2000, 201, 300, 1],
    [3000, 0, 0, 1],
    [4000, 0, 0, 1],
    [5000, 0, 0, 1],
    [6000, 0, 0, 1],
  ]);
  assert.deepEqual(exhaustionResult.latencyUs.connect, { count: 1000, p50: 300, p95: 300, p99: 300, max: 300 });
  assert.equal(exhaustionResult.latencyUs.handshake.p50, 1200);
  assert.deepEqual(exhaustionResult.meta.sampler, { tool: "ss", sockstatMeanMs: 0.05, ssMeanMs: 30 });
});

test("exhaustion storm: predictions read the 1,000-port range and tcp_tw_reuse=0", () => {
  assert.deepEqual(exhaustionResult.predictions, {
    meanRatePerS: 400,
    portRange: 1000,
    timeWaitHolder: "client",
    clientReusesTimeWait: false,
    portBlockedS: 60,
    sustainableRatePerS: 1000 / 60,
    steadyStateTw: 1000, // not 400 × 60 = 24,000: the range holds 1,000
    expectedPeakTw: 1000, // not 2,500
    expectedPortFailures: 1500,
    // Cycle 1,001 is due at 2.5025 s; the pump starts what is due on 1 ms ticks.
    expectedFirstPortFailureS: 2.503,
  });
});

test("exhaustion storm: TIME_WAIT and its accounting — 1,000 held + 1,500 without a port = 2,500", () => {
  const { timeWait } = exhaustionResult;
  assert.deepEqual(timeWait.peak, { client: 1000, server: 0 });
  assert.deepEqual(timeWait.atStormEnd, { client: 1000, server: 0, source: "sockstat" });
  assert.equal(timeWait.drainS, null);
  assert.equal(timeWait.drainedToBaseline, false);
  assert.deepEqual(timeWait.accounting, {
    cycles: 2500,
    noPort: 1500,
    refused: 0,
    held: { client: 1000, server: 0 },
    takenOver: 0,
    recycled: 0,
    expired: 0,
    reset: 0,
    overflow: 0,
    unexplained: 0,
    evidence: { synsSent: 1000, portReuses: 0, enteredTw: { client: 1000, server: 0 } },
  });
});

test("exhaustion storm: the summary prints the result's figures", () => {
  const summary = formatTwStormSummary(exhaustionResult, "/tmp/run");
  assert.match(summary, /^cycles: 1000 ok, 1500 failed of 2500 started \(400\/s over 6\.25 s\)$/m);
  assert.match(summary, /^errors: EADDRNOTAVAIL 1500; first failure at 2\.50 s$/m);
  assert.match(summary, /^TIME_WAIT accounting: 2500 cycles = 1000 held \(client 1000, server 0\) \+ 1500 got no port; unexplained 0$/m);
  assert.match(summary, /^prediction \(client holds TIME_WAIT, no reuse, 1000 ports\): peak 1000 TIME_WAIT, 1000 at steady state; 1500 EADDRNOTAVAIL from 2\.50 s; 17 cycles\/s let every TIME_WAIT live its 60 s$/m);
});

// Server-held TIME_WAIT through a 200-port range: the client's ports are free again at once, so connect() keeps to
// the 100 even ports and each comes back 100 cycles (500 ms) later, while the server still holds its TIME_WAIT.
const takeover: KnownCycle[] = Array.from({ length: 600 }, (_, index) => ({ startMs: 5 * (index + 1), endMs: 5 * (index + 1) + 3, ok: true, port: 40000 + 2 * (index % 100) }));
const takeoverSysctls = { client: { ...namespaceDefaults, "net.ipv4.ip_local_port_range": "40000 40199" }, server: namespaceDefaults };
const takeoverResult = assembleTwStormResult(
  observe({
    options: stormOptions({ close: "server-terminate", cycles: 600, rate: 200, sysctl: ["client:net.ipv4.ip_local_port_range=40000 40199"] }),
    sysctls: takeoverSysctls,
    tally: tallyOf(takeover),
    samples: samplesOf(takeover, 3500, "server"),
    stormEnd: {
      epochMs: startMs + 3500,
      timeWait: { client: 0, server: 100 },
      census: { client: {}, server: { TIME_WAIT: 100 } },
      counters: { client: { "Tcp.ActiveOpens": 600 }, server: { "Tcp.PassiveOpens": 600, "TcpExt.TW": 600 } },
    },
  }),
);

test("server-terminate through 100 reused ports: 100 held + 500 taken over = 600, though the kernel entered 600", () => {
  assert.equal(takeoverResult.cycles.stormDurationS, 3.003);
  assert.equal(takeoverResult.cycles.achievedRatePerS, 600 / 3.003);
  assert.equal(takeoverResult.cycles.firstFailureS, null);
  assert.deepEqual(takeoverResult.timeWait.accounting, {
    cycles: 600,
    noPort: 0,
    refused: 0,
    held: { client: 0, server: 100 },
    takenOver: 500,
    recycled: 0,
    expired: 0,
    reset: 0,
    overflow: 0,
    unexplained: 0,
    evidence: { synsSent: 600, portReuses: 500, enteredTw: { client: 0, server: 600 } },
  });
  assert.deepEqual(
    { ...takeoverResult.predictions, sustainableRatePerS: undefined },
    { meanRatePerS: 200, portRange: 200, timeWaitHolder: "server", clientReusesTimeWait: false, portBlockedS: 0, sustainableRatePerS: undefined, steadyStateTw: 100, expectedPeakTw: 100, expectedPortFailures: 0, expectedFirstPortFailureS: null },
  );
  assert.match(formatTwStormSummary(takeoverResult, "/tmp/run"), /^TIME_WAIT accounting: 600 cycles = 100 held \(client 0, server 100\) \+ 500 taken over by a reused port; unexplained 0$/m);
});

// Longer than TIME_WAIT lives: one cycle a second for 100 s, read at 100.5 s and drained at 160.1 s.
const slow: KnownCycle[] = Array.from({ length: 100 }, (_, index) => ({ startMs: 1000 * (index + 1), endMs: 1000 * (index + 1) + 2, ok: true, port: 32768 + 2 * index }));
const slowResult = assembleTwStormResult(
  observe({
    options: stormOptions({ cycles: 100, rate: 1, drain: 70 }),
    sysctls: { client: namespaceDefaults, server: namespaceDefaults },
    tally: tallyOf(slow),
    samples: samplesOf(slow, 100_500, "client"),
    stormEnd: { epochMs: startMs + 100_500, timeWait: { client: 60, server: 0 }, census: undefined, counters: { client: { "Tcp.ActiveOpens": 100, "TcpExt.TW": 100 }, server: {} } },
    drainedEpochMs: startMs + 160_100,
  }),
);

test("a storm longer than 60 s: the first 40 TIME_WAIT expired before the reading, 60 held; drained 60.098 s after the last close", () => {
  assert.equal(slowResult.cycles.stormDurationS, 100.002);
  assert.equal(slowResult.cycles.achievedRatePerS, 100 / 100.002);
  assert.equal(slowResult.cycles.lastCloseS, 100.002);
  assert.equal(slowResult.timeWait.drainS, 60.098);
  assert.equal(slowResult.timeWait.drainedToBaseline, true);
  assert.deepEqual(
    { held: slowResult.timeWait.accounting.held, expired: slowResult.timeWait.accounting.expired, unexplained: slowResult.timeWait.accounting.unexplained },
    { held: { client: 60, server: 0 }, expired: 40, unexplained: 0 },
  );
  // 1 cycle/s: 60 TIME_WAIT at any time once the first minute is over.
  assert.equal(slowResult.predictions.expectedPeakTw, 60);
  assert.equal(slowResult.predictions.steadyStateTw, 60);
  assert.equal(slowResult.predictions.expectedPortFailures, 0);
});

test("tcp_tw_reuse=1 unblocks a port after tcp_tw_reuse_delay: 100 ports at 200/s serve 100 connects a second", () => {
  const reuse = { ...namespaceDefaults, "net.ipv4.ip_local_port_range": "40000 40099", "net.ipv4.tcp_tw_reuse": "1" };
  const predicted = predictTwStorm({ shape: { kind: "constant", ratePerS: 200 }, cycles: 600, durationS: 33, closeMode: "client-terminate", sysctls: { client: reuse, server: namespaceDefaults }, loopbackDestination: false });
  // Cycles 1–100 take every port by 0.5 s; 101–200 find them blocked; from 1.005 s each port is free again.
  assert.equal(predicted.clientReusesTimeWait, true);
  assert.equal(predicted.portBlockedS, 1);
  assert.equal(predicted.expectedPortFailures, 300);
  assert.equal(predicted.expectedFirstPortFailureS, 0.505);
  assert.equal(predicted.expectedPeakTw, 100, "a recycled TIME_WAIT replaces the one it takes over");
  const withoutTimestamps = predictTwStorm({ shape: { kind: "constant", ratePerS: 200 }, cycles: 600, durationS: 33, closeMode: "client-terminate", sysctls: { client: { ...reuse, "net.ipv4.tcp_timestamps": "0" }, server: namespaceDefaults }, loopbackDestination: false });
  assert.equal(withoutTimestamps.clientReusesTimeWait, false, "reuse needs the peer's timestamps in the TIME_WAIT");
  assert.equal(withoutTimestamps.expectedPortFailures, 500);
});

test("tcp_tw_reuse=2 reuses only toward loopback; close() races predict no failures; tcp_max_tw_buckets caps TIME_WAIT", () => {
  const plan = { shape: { kind: "constant" as const, ratePerS: 400 }, cycles: 2500, durationS: 36.25, sysctls: { client: { ...namespaceDefaults, "net.ipv4.ip_local_port_range": "40000 40999" }, server: namespaceDefaults } };
  assert.equal(predictTwStorm({ ...plan, closeMode: "client-terminate", loopbackDestination: true }).expectedPortFailures, 0);
  assert.equal(predictTwStorm({ ...plan, closeMode: "client-terminate", loopbackDestination: false }).expectedPortFailures, 1500);
  const race = predictTwStorm({ ...plan, closeMode: "client-close", loopbackDestination: false });
  assert.deepEqual([race.timeWaitHolder, race.portBlockedS, race.expectedPortFailures, race.expectedFirstPortFailureS, race.expectedPeakTw], ["race", null, null, null, 1000]);
  const capped = predictTwStorm({ ...plan, closeMode: "server-terminate", loopbackDestination: false, sysctls: { client: namespaceDefaults, server: { ...namespaceDefaults, "net.ipv4.tcp_max_tw_buckets": "700" } } });
  assert.equal(capped.expectedPeakTw, 700);
  assert.equal(capped.steadyStateTw, 700);
});

test("each assembled result is plain JSON and valid against schema/tw-storm-result.v1.schema.json", () => {
  for (const result of [exhaustionResult, takeoverResult, slowResult]) {
    const data = JSON.parse(JSON.stringify(result));
    assert.deepEqual(data, result);
    assert.equal(findSchemaViolation(data), null);
  }
});
