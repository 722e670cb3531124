// test: unit
// The TIME_WAIT accounting adds up to the cycles started, also when a port was reused after its
// TIME_WAIT was killed by an RST (RFC 1337) rather than taken over.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { accountTimeWait, type AccountingInput, type PortUse } from "../../../src/lib/storm/time-wait-accounting.js";

// 1,003 connected cycles on 1,000 ports: ports 0, 1 and 2 are used twice, 10 ms after their first
// cycle ended. 1,500 more cycles found no port.
const ports: PortUse[] = [
  ...Array.from({ length: 1000 }, (_, i): PortUse => [40000 + i, 1_000 + i, 1_001 + i]),
  ...[0, 1, 2].map((i): PortUse => [40000 + i, 2_100 + i, 2_101 + i]),
];

// Those 1,003 SYNs, read 7 s in, with what differs between the cases.
const account = (input: Pick<AccountingInput, "started" | "held" | "counters" | "timeWaitHolder">) => accountTimeWait({ synsSent: 1003, ports, atEpochMs: 7_000, ...input });

test("client-held TIME_WAIT, tcp_tw_reuse=0: three ports freed by RSTs and reused are counted once, as reset (one busy-core CI run)", () => {
  const accounting = account({
    started: 2500,
    held: { client: 1000, server: 0 },
    counters: { client: { "Tcp.OutRsts": 0, "TcpExt.TW": 1003 }, server: { "Tcp.OutRsts": 3 } },
    timeWaitHolder: "client",
  });
  assert.deepEqual(
    { noPort: accounting.noPort, held: accounting.held.client, takenOver: accounting.takenOver, reset: accounting.reset, unexplained: accounting.unexplained },
    { noPort: 1497, held: 1000, takenOver: 0, reset: 3, unexplained: 0 },
  );
  assert.equal(accounting.evidence.portReuses, 3, "the port record still says what it saw");
});

test("server-held TIME_WAIT: the same reuses are take-overs of the server's TIME_WAIT", () => {
  const accounting = account({
    started: 1003,
    held: { client: 0, server: 1000 },
    counters: { client: {}, server: { "TcpExt.TW": 1003 } },
    timeWaitHolder: "server",
  });
  assert.deepEqual({ takenOver: accounting.takenOver, unexplained: accounting.unexplained }, { takenOver: 3, unexplained: 0 });
});
