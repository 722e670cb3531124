// test: system, group storm
import assert from "node:assert/strict";
import { test } from "node:test";
import { runTwStorm, type TwStormResult } from "../../../src/lib/storm/index.js";
import { isRoot, stormOptions } from "./storm-flags.js";

const ms = (us: number): string => `${(us / 1000).toFixed(2)} ms`;
const describeRun = (r: TwStormResult): string =>
  `${r.cycles.succeeded} ok of ${r.cycles.started}, server saw ${r.server?.connections} connections / ${r.server?.requests} requests, TIME_WAIT client ${r.timeWait.atStormEnd.client} server ${r.timeWait.atStormEnd.server}; connect p50 ${ms(r.latencyUs.connect.p50)} (${r.latencyUs.connect.count}), response p50 ${ms(r.latencyUs.handshake.p50)} (${r.latencyUs.handshake.count}); accounting ${JSON.stringify(r.timeWait.accounting)}`;
// What the sockets did, not the plan: a close that ended in an RST leaves no TIME_WAIT (tcp_rfc1337=0; one
// loaded CI run of tw-storm's summary test: 14 of 100), and the storm accounts for each such close.
const heldOrReset = (r: TwStormResult, side: "client" | "server"): number => r.timeWait.atStormEnd[side] + r.timeWait.accounting.reset;

// autocannon's reconnect mode: the client closes every connection after its one request, so each leaves
// a TIME_WAIT on the client; and no connection without a request (autocannon's own reconnect after a
// client's last response, which avsync stops: docs/tw-storm.md).
test("HTTP client closes: every response counted, one connection per request, one client TIME_WAIT each", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ protocol: "http", close: "client-terminate", cycles: 300, rate: 300, concurrency: 50 }));
  t.diagnostic(describeRun(result));
  assert.equal(result.cycles.failed, 0);
  assert.equal(result.cycles.succeeded, 300);
  assert.equal(result.server!.requests, 300, "the server answered each request once");
  assert.equal(result.timeWait.atStormEnd.server, 0);
  assert.equal(result.server!.connections, 300, describeRun(result));
  assert.ok(Math.abs(heldOrReset(result, "client") - 300) <= 2, describeRun(result));
  // Every response came on a fresh connection, so each has a latency.
  assert.ok(result.latencyUs.handshake.count >= 295, `${result.latencyUs.handshake.count} response latencies`);
  assert.ok(result.latencyUs.connect.count >= 295, `${result.latencyUs.connect.count} connect latencies`);
});

// The server answers `Connection: close` and is the closer of every connection.
test("HTTP server closes (Connection: close): one server TIME_WAIT per request, none on the client", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ protocol: "http", close: "server-close", cycles: 300, rate: 300, concurrency: 50 }));
  t.diagnostic(describeRun(result));
  assert.equal(result.cycles.failed, 0);
  assert.equal(result.server!.requests, result.cycles.succeeded, "every answered request was counted once on each side");
  assert.equal(result.cycles.succeeded, 300, "no request was written onto a closing socket");
  // CI 58 (plain) read the server's 296 of 300.
  assert.ok(Math.abs(heldOrReset(result, "server") - 300) <= 2, describeRun(result));
  assert.ok(result.timeWait.atStormEnd.server >= 270, describeRun(result));
  assert.equal(result.server!.connections, 300, describeRun(result));
  assert.ok(result.timeWait.atStormEnd.client <= 2, describeRun(result));
});

// A known delay on the server must show in the latency the storm reports, and not in the connect.
// autocannon paces by per-connection quotas that it spends at the start of each second, so its requests
// queue behind each other (a 27–37 ms median response at 300/s over 50 connections, docs/tw-storm.md);
// one connection at 40/s sends them one after another, and the delay is then all that is added.
// The ws storm runs the same way: at 200/s over 50 connections, with one core held by a neighbour, its
// handshakes queued behind the delayed ones and the connect median read 18 ms against 2.6 ms without delay.
const delayRun = { http: { cycles: 40, rate: 40, concurrency: 1 }, ws: { cycles: 40, rate: 40, concurrency: 1 } };
for (const protocol of ["http", "ws"] as const) {
  test(`${protocol}: --server-delay-ms 40 shows in the ${protocol === "http" ? "response" : "handshake"} latency (40 ms + the connect), not in the connect`, { skip: !isRoot && "needs root" }, async (t) => {
    const run = delayRun[protocol];
    const plain = await runTwStorm(stormOptions({ protocol, close: "client-terminate", ...run }));
    const delayed = await runTwStorm(stormOptions({ protocol, close: "client-terminate", ...run, "server-delay-ms": 40 }));
    t.diagnostic(`no delay: ${describeRun(plain)}`);
    t.diagnostic(`40 ms: ${describeRun(delayed)}`);
    for (const r of [plain, delayed]) {
      assert.equal(r.cycles.succeeded, run.cycles);
      assert.ok(r.latencyUs.handshake.count >= run.cycles * 0.97 && r.latencyUs.connect.count >= run.cycles * 0.97, describeRun(r));
    }
    // Two runs, one after the other, on a machine that may be busy: the median moves between them by up to
    // the plain run's own spread (its p95 − p50), measured here, so the comparison allows that much each way.
    const added = (delayed.latencyUs.handshake.p50 - plain.latencyUs.handshake.p50) / 1000;
    const noise = (plain.latencyUs.handshake.p95 - plain.latencyUs.handshake.p50) / 1000;
    assert.ok(added >= 40 - noise && added <= 40 + 8 + noise, `the delay added ${added.toFixed(2)} ms to the median (40 injected, noise ±${noise.toFixed(2)} ms)`);
    assert.ok(delayed.latencyUs.handshake.p50 >= 40_000 + delayed.latencyUs.connect.p50, describeRun(delayed));
    const connectNoiseUs = plain.latencyUs.connect.p95 - plain.latencyUs.connect.p50;
    assert.ok(delayed.latencyUs.connect.p50 <= plain.latencyUs.connect.p50 + connectNoiseUs + 1_000, `connect p50 ${ms(delayed.latencyUs.connect.p50)} against ${ms(plain.latencyUs.connect.p50)} without the delay: the delay is the server's, after the connect`);
  });
}
