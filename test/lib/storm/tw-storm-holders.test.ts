// test: system, group storm
import assert from "node:assert/strict";
import { test } from "node:test";
import { listAvsyncNamespaces } from "../../../src/lib/netns/index.js";
import { runTwStorm } from "../../../src/lib/storm/index.js";
import { isRoot, notableCounters, stormOptions } from "./storm-flags.js";

// Acceptance: the side that closes first holds TIME_WAIT — 2,000 terminate cycles each way, one after the other.
test("client-terminate puts 2,000 TIME_WAIT on the client, server-terminate on the server", { skip: !isRoot && "needs root" }, async (t) => {
  const clientSide = await runTwStorm(stormOptions({ close: "client-terminate", cycles: 2000, rate: 1000 }));
  const serverSide = await runTwStorm(stormOptions({ close: "server-terminate", cycles: 2000, rate: 400 }));
  await t.test("client-terminate", () => {
    assert.equal(clientSide.topology.kind, "netns");
    assert.equal(clientSide.cycles.succeeded, 2000);
    assert.ok(Math.abs(clientSide.timeWait.atStormEnd.client - 2000) <= 20, `client TIME_WAIT ${clientSide.timeWait.atStormEnd.client}`);
    assert.ok(clientSide.timeWait.atStormEnd.server <= 20, `server TIME_WAIT ${clientSide.timeWait.atStormEnd.server}`);
    const lastSs = clientSide.series.ss.at(-1)![1];
    assert.equal(lastSs.client.TIME_WAIT, clientSide.timeWait.atStormEnd.client);
    assert.equal(clientSide.counters.delta.client!["Tcp.ActiveOpens"], 2000);
    assert.equal(clientSide.closeCodes.client["1006"], 2000);
    assert.ok(Math.abs(clientSide.timeWait.accounting.unexplained) <= 10, JSON.stringify(clientSide.timeWait.accounting));
  });
  // Issue 18's storm. Server TIME_WAIT used to read 1,840–2,000 of 2,000 here, the rest unexplained. Every
  // avsync namespace pair storms 10.213.0.1 → 10.213.0.2:8080, and the kernel picks source ports from one
  // perturbation slot per address pair that all namespaces share, so storms running at the same time (the rest
  // of the suite, a neighbour's) move this storm's ports on: once they wrap, the client takes a port whose
  // 4-tuple the server still holds in TIME_WAIT, and the server hands that TIME_WAIT to the new SYN (TCP_TW_SYN),
  // counting nothing. The client's port record counts those takeovers; an RST (client Tcp.OutRsts) kills others.
  await t.test("server-terminate: the server's TIME_WAIT peak and the named causes add up to 2,000", (st) => {
    assert.equal(serverSide.cycles.succeeded, 2000);
    assert.equal(serverSide.server?.connections, 2000);
    const { accounting, peak, baseline, atStormEnd } = serverSide.timeWait;
    const account = `peak ${JSON.stringify(peak)}, accounting ${JSON.stringify(accounting)}; client counters ${JSON.stringify(notableCounters(serverSide.counters.delta.client))}, server counters ${JSON.stringify(notableCounters(serverSide.counters.delta.server))}`;
    st.diagnostic(account);
    assert.ok(atStormEnd.client <= 20, account);
    const { held, cycles, ...named } = accounting;
    const causes = named.noPort + named.refused + held.client + named.takenOver + named.recycled + named.expired + named.reset + named.overflow;
    // ±0.5 % (10): four runs beside neighbours (load 6–10), one of them beside a busy core too, read unexplained 0
    // with 0, 71, 0 and 77 taken over; the slack is for an RST or SYN counted after the storm-end reading.
    assert.ok(Math.abs(peak.server! - baseline.server! + causes - cycles) <= 10, account);
    assert.ok(Math.abs(accounting.unexplained) <= 10, account);
    // The kernel's own count agrees: the server entered one TIME_WAIT per connection, and what left it early is
    // no more than the takeovers the client's port record shows and the RSTs the counters show.
    const leftEarly = accounting.evidence.enteredTw.server - held.server;
    assert.ok(leftEarly >= accounting.takenOver - 2 && leftEarly <= accounting.takenOver + accounting.reset + 2, account);
  });
  await t.test("result is plain JSON and nothing is left behind", async () => {
    assert.deepEqual(JSON.parse(JSON.stringify(clientSide)), clientSide);
    assert.equal(clientSide.schema, "avsync/tw-storm-result");
    assert.equal(clientSide.complete, true);
    const left = await listAvsyncNamespaces();
    assert.ok(!left.includes(clientSide.topology.clientNamespace!) && !left.includes(serverSide.topology.serverNamespace!));
  });
});

// The takeover on purpose: through 200 client ports the server's TIME_WAIT outlives each port's use, and connect()
// keeps to the 100 even ports, each taken again every ~100 cycles. The kernel counts 600 TIME_WAIT entered and
// nothing for the 500 taken over; the client's own record of its ports names every one.
test("a source port used again takes over the server's TIME_WAIT: 600 cycles = ≤ 100 held + the takeovers", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ close: "server-terminate", cycles: 600, rate: 200, concurrency: 20, sysctl: ["client:net.ipv4.ip_local_port_range=40000 40199"] }));
  const { accounting } = result.timeWait;
  t.diagnostic(`accounting ${JSON.stringify(accounting)}; server counters ${JSON.stringify(notableCounters(result.counters.delta.server))}`);
  assert.equal(result.cycles.succeeded, 600);
  assert.equal(accounting.evidence.enteredTw.server, 600, "the server entered one TIME_WAIT per connection");
  assert.ok(accounting.held.server <= 100, "only the even half of the range is ever used");
  assert.equal(accounting.held.server + accounting.takenOver + accounting.reset, 600, JSON.stringify(accounting));
  assert.equal(accounting.unexplained, 0);
  assert.equal(result.predictions.expectedPeakTw, 100);
});

// Held to the kernel's own count of sockets that entered TIME_WAIT on each side, not to the sample at the
// storm's end: with a core busy that sample read 295 of 300, the last closes still under way.
test("rfc6455 order puts TIME_WAIT on the server even though the client starts the close", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ close: "rfc6455", cycles: 300, rate: 600, messages: 2 }));
  const { accounting } = result.timeWait;
  t.diagnostic(`at the storm's end ${JSON.stringify(result.timeWait.atStormEnd)}; accounting ${JSON.stringify(accounting)}`);
  assert.equal(result.cycles.succeeded, 300);
  // A reset may end a connection before its TIME_WAIT (allowed), or after it (one idle CI run: 300 entered, 2 resets).
  assert.ok(accounting.evidence.enteredTw.server >= 300 - accounting.reset, JSON.stringify(accounting));
  assert.equal(accounting.evidence.enteredTw.client, 0, JSON.stringify(accounting));
  assert.equal(result.timeWait.atStormEnd.client, 0);
  assert.equal(result.closeCodes.client["1000"], 300);
});
