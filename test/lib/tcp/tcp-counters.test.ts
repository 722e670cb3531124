import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { test } from "node:test";
import { execa } from "execa";
import { namespacePrefix, removeNamespaces } from "../../../src/lib/netns/index.js";
import { diffTcpCounters, parseProcCounters, parseSockstat, readSockstat, readTcpCounters, sampleTcpStates } from "../../../src/lib/tcp/index.js";

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/tcp/${name}`, import.meta.url), "utf8");
const isRoot = process.getuid?.() === 0;

test("parses sockstat's TCP line", () => {
  assert.deepEqual(parseSockstat(fixture("sockstat-2000-tw.txt")), { inuse: 3, orphan: 0, tw: 2000, alloc: 3, memPages: 1 });
  assert.throws(() => parseSockstat("UDP: inuse 0"), /Expected \/proc\/net\/sockstat to hold a `TCP:` line/);
});

// Each value must come from its own column: the fixture's header and value lines, read by eye.
test("parses /proc/net/netstat and snmp header/value pairs, each name to its own column", () => {
  const counters = { ...parseProcCounters(fixture("proc-net-snmp.txt")), ...parseProcCounters(fixture("proc-net-netstat.txt")) };
  assert.deepEqual(
    [counters["Tcp.RtoMax"], counters["Tcp.MaxConn"], counters["Tcp.ActiveOpens"], counters["Tcp.PassiveOpens"], counters["Tcp.EstabResets"], counters["Tcp.OutRsts"], counters["Tcp.InCsumErrors"]],
    [120000, -1, 103, 43, 26, 119, 0],
  );
  assert.deepEqual([counters["TcpExt.SyncookiesSent"], counters["TcpExt.TW"], counters["TcpExt.TWRecycled"], counters["TcpExt.TCPAbortOnData"], counters["TcpExt.TCPAbortOnClose"]], [0, 36, 0, 53, 13]);
  assert.deepEqual([counters["IpExt.InOctets"], counters["IpExt.OutOctets"]], [95243868, 1390408], "the groups after TcpExt are read too");
});

test("diffs counter snapshots name by name", () => {
  assert.deepEqual(diffTcpCounters({ a: 1, b: 7 }, { a: 5, b: 7, c: 2 }), { a: 4, b: 0, c: 2 });
});

// A namespace of its own, so nothing else's sockets are in what is read: a listener and five connections on its
// loopback, then the five clients close first. sockstat and the counters must show exactly those.
test("reads a namespace's sockstat and counters: 5 connections, then 5 client TIME_WAIT", { skip: !isRoot && "needs root (a network namespace of its own)", timeout: 30_000 }, async () => {
  const namespace = `${namespacePrefix}${process.pid}-tcp-counters`;
  await execa("ip", ["netns", "add", namespace]);
  const source = `
    const net = require("node:net");
    const server = net.createServer((s) => s.on("end", () => s.end())).listen(7000, "127.0.0.1", () => {
      const clients = Array.from({ length: 5 }, () => net.connect(7000, "127.0.0.1"));
      let connected = 0;
      for (const c of clients) c.on("connect", () => ++connected === 5 && setTimeout(() => console.log("open"), 100));
      process.stdin.once("data", () => {
        for (const c of clients) c.end();
        setTimeout(() => console.log("closed"), 300);
      });
    });`;
  try {
    await execa("ip", ["-n", namespace, "link", "set", "lo", "up"]);
    const child = spawn("ip", ["netns", "exec", namespace, process.execPath, "-e", source], { stdio: ["pipe", "pipe", "inherit"] });
    const said = async (word: string): Promise<void> => {
      for (;;) if (String((await once(child.stdout!, "data"))[0]).includes(word)) return;
    };
    try {
      await said("open");
      const before = readTcpCounters(child.pid);
      const open = readSockstat(child.pid);
      assert.deepEqual([open.inuse, open.tw], [11, 0], "1 listener + 5 clients + 5 accepted");
      assert.deepEqual([before["Tcp.ActiveOpens"], before["Tcp.PassiveOpens"], before["TcpExt.TW"]], [5, 5, 0]);
      child.stdin!.write("close\n");
      await said("closed");
      const closed = readSockstat(child.pid);
      assert.deepEqual([closed.inuse, closed.tw], [1, 5], "the listener, and the 5 clients in TIME_WAIT");
      // TcpExt.TW counts TIME_WAIT entered (Linux ≥ 5.17 counts when the timer is set), not expired.
      assert.deepEqual(diffTcpCounters(before, readTcpCounters(child.pid))["TcpExt.TW"], 5);
      assert.equal(readTcpCounters(child.pid)["Tcp.ActiveOpens"], 5);
    } finally {
      child.kill("SIGKILL");
    }
  } finally {
    await removeNamespaces([namespace]);
  }
});

test("falls back to netstat when ss is missing", async () => {
  const sample = await sampleTcpStates({ namespace: undefined, targetPort: 1, ssCommand: "avsync-no-such-ss" });
  assert.equal(sample.tool, "netstat");
  assert.deepEqual(sample.client, {});
});
