import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { diffTcpCounters, parseProcCounters, parseSockstat, readSockstat, readTcpCounters, reportedCounters, sampleTcpStates } from "../../../src/lib/tcp/index.js";

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/tcp/${name}`, import.meta.url), "utf8");

test("parses sockstat's TCP line", () => {
  assert.deepEqual(parseSockstat(fixture("sockstat-2000-tw.txt")), { inuse: 3, orphan: 0, tw: 2000, alloc: 3, memPages: 1 });
  assert.throws(() => parseSockstat("UDP: inuse 0"), /Expected \/proc\/net\/sockstat to hold a `TCP:` line/);
});

test("parses /proc/net/netstat and snmp header/value pairs", () => {
  const counters = { ...parseProcCounters(fixture("proc-net-snmp.txt")), ...parseProcCounters(fixture("proc-net-netstat.txt")) };
  for (const name of reportedCounters) assert.equal(typeof counters[name], "number", name);
  assert.ok(Number.isFinite(counters["TcpExt.TWRecycled"]));
});

test("reads this namespace's sockstat and counters, and diffs counters", () => {
  assert.ok(readSockstat().inuse >= 0);
  const before = readTcpCounters();
  assert.deepEqual(Object.keys(before), [...reportedCounters]);
  assert.deepEqual(diffTcpCounters({ a: 1 }, { a: 5 }), { a: 4 });
});

test("falls back to netstat when ss is missing", async () => {
  const sample = await sampleTcpStates({ namespace: undefined, targetPort: 1, ssCommand: "avsync-no-such-ss" });
  assert.equal(sample.tool, "netstat");
  assert.deepEqual(sample.client, {});
});
