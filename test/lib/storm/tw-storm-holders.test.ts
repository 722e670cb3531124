// test: system, group storm
import assert from "node:assert/strict";
import { test } from "node:test";
import { listAvsyncNamespaces } from "../../../src/lib/netns/index.js";
import { runTwStorm } from "../../../src/lib/storm/index.js";
import { isRoot, notableCounters, stormOptions } from "./storm-flags.js";

// Acceptance: the side that closes first holds TIME_WAIT — 2,000 terminate cycles each way. The two storms run one
// after the other: sharing two cores, the client answered up to 2% of server FINs with an RST, which kills the
// server's TIME_WAIT (RFC 1337 assassination; visible as client Tcp.OutRsts).
test("client-terminate puts 2,000 TIME_WAIT on the client, server-terminate on the server", { skip: !isRoot && "needs root" }, async (t) => {
  const clientSide = await runTwStorm(stormOptions({ close: "client-terminate", cycles: 2000, rate: "1000" }));
  const serverSide = await runTwStorm(stormOptions({ close: "server-terminate", cycles: 2000, rate: "1000" }));
  await t.test("client-terminate", () => {
    assert.equal(clientSide.topology.kind, "netns");
    assert.equal(clientSide.cycles.succeeded, 2000);
    assert.ok(Math.abs(clientSide.timeWait.atStormEnd.client - 2000) <= 20, `client TIME_WAIT ${clientSide.timeWait.atStormEnd.client}`);
    assert.ok(clientSide.timeWait.atStormEnd.server <= 20, `server TIME_WAIT ${clientSide.timeWait.atStormEnd.server}`);
    const lastSs = clientSide.series.ss.at(-1)![1];
    assert.equal(lastSs.client.TIME_WAIT, clientSide.timeWait.atStormEnd.client);
    assert.equal(clientSide.counters.delta.client!["Tcp.ActiveOpens"], 2000);
    assert.equal(clientSide.closeCodes.client["1006"], 2000);
  });
  await t.test("server-terminate", (st) => {
    assert.equal(serverSide.cycles.succeeded, 2000);
    assert.equal(serverSide.server?.connections, 2000);
    const { server, client } = serverSide.timeWait.atStormEnd;
    const resets = serverSide.counters.delta.client!["Tcp.OutRsts"]!;
    const account = `server TIME_WAIT ${server}, client ${client}; client counters ${JSON.stringify(notableCounters(serverSide.counters.delta.client))}, server counters ${JSON.stringify(notableCounters(serverSide.counters.delta.server))}; ss at storm end ${JSON.stringify(serverSide.series.ss.at(-1)?.[1])}`;
    st.diagnostic(account);
    assert.ok(client <= 20, account);
    // Isolated runs read exactly 2,000. In the full CI sequence a few % go missing: one run read 1,950
    // with as many client RSTs (RFC 1337 assassination, see above), two read 1,913 and 1,840 with no
    // client RST at all (cause not found; the counters above say what the kernel counted). TIME_WAIT
    // is on the server all the same: at least 90 % of the cycles, at most 1 % on the client.
    assert.ok(server >= 1800, account);
    assert.ok(server + resets <= 2000 + 20, account);
  });
  await t.test("result is plain JSON and nothing is left behind", async () => {
    assert.deepEqual(JSON.parse(JSON.stringify(clientSide)), clientSide);
    assert.equal(clientSide.schema, "avsync/tw-storm-result");
    assert.equal(clientSide.complete, true);
    const left = await listAvsyncNamespaces();
    assert.ok(!left.includes(clientSide.topology.clientNamespace!) && !left.includes(serverSide.topology.serverNamespace!));
  });
});

test("rfc6455 order puts TIME_WAIT on the server even though the client starts the close", { skip: !isRoot && "needs root" }, async () => {
  const result = await runTwStorm(stormOptions({ close: "rfc6455", cycles: 300, rate: "600", messages: 2 }));
  assert.equal(result.cycles.succeeded, 300);
  assert.ok(result.timeWait.atStormEnd.server >= 297, `server TIME_WAIT ${result.timeWait.atStormEnd.server}`);
  assert.equal(result.timeWait.atStormEnd.client, 0);
  assert.equal(result.closeCodes.client["1000"], 300);
});
