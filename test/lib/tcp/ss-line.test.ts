import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { countTcpStatesBySide, parseNetstatLine, parseSsDuration, parseSsLine, splitEndpoint } from "../../../src/lib/tcp/index.js";

const fixture = (name: string): string => readFileSync(new URL(`../../../fixtures/tcp/${name}`, import.meta.url), "utf8");
const targetPort = Number(fixture("target-port.txt"));
const ssLines = fixture("ss-htano-loopback.txt").split("\n").filter((line) => line.trim() !== "");

test("parses a captured TIME-WAIT line with its timer", () => {
  const line = ssLines.find((candidate) => candidate.startsWith("TIME-WAIT"))!;
  const socket = parseSsLine(line);
  assert.equal(socket.state, "TIME_WAIT");
  assert.equal(socket.peerPort, targetPort);
  assert.equal(socket.localAddress, "127.0.0.1");
  assert.deepEqual(socket.timer, { name: "timewait", remainingS: 59, retransmits: 0 });
});

test("parses the listener and the wildcard peer", () => {
  const socket = parseSsLine(ssLines[0]!);
  assert.equal(socket.state, "LISTEN");
  assert.equal(socket.sendQ, 511);
  assert.deepEqual(splitEndpoint("0.0.0.0:*"), { address: "0.0.0.0", port: 0 });
});

test("counts the captured sockets by state and side", () => {
  const census = countTcpStatesBySide(ssLines.map(parseSsLine), targetPort);
  assert.deepEqual(census.client, { ESTABLISHED: 4, TIME_WAIT: 8 });
  assert.deepEqual(census.server, { ESTABLISHED: 4 });
  assert.deepEqual(census.timeWaitRemainingS, { "59": 8 });
});

test("netstat lines give the same census, without timers", () => {
  const sockets = fixture("netstat-ant-loopback.txt").split("\n").flatMap((line) => parseNetstatLine(line) ?? []);
  const census = countTcpStatesBySide(sockets, targetPort);
  assert.deepEqual(census.client, { ESTABLISHED: 4, TIME_WAIT: 8 });
  assert.deepEqual(census.server, { ESTABLISHED: 4 });
});

test("splits IPv6 endpoints at the last colon", () => {
  assert.deepEqual(splitEndpoint("[::ffff:127.0.0.1]:8080"), { address: "::ffff:127.0.0.1", port: 8080 });
  assert.deepEqual(splitEndpoint("[fe80::1%eth0]:22"), { address: "fe80::1", port: 22 });
});

test("parses ss timer durations", () => {
  assert.equal(parseSsDuration("59sec"), 59);
  assert.equal(parseSsDuration("1min2sec"), 62);
  assert.equal(parseSsDuration("200ms"), 0.2);
  assert.equal(parseSsDuration("2min"), 120);
  // Regression: ss prints 5 s 123 ms as `5.123ms`; it was read as 5.123 ms.
  assert.equal(parseSsDuration("5.123ms"), 5.123);
  assert.throws(() => parseSsDuration("soon"), /Expected an ss timer duration like `59sec`, got `soon`/);
});

test("quotes a line it cannot parse", () => {
  assert.throws(() => parseSsLine("garbage"), /got `garbage`/);
});
