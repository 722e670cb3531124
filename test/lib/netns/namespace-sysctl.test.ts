// test: system
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseSysctlAssignment } from "../../../src/lib/netns/index.js";

test("parses a sysctl for both sides, or for one side", () => {
  assert.deepEqual(parseSysctlAssignment("net.ipv4.tcp_tw_reuse=1"), { side: "both", key: "net.ipv4.tcp_tw_reuse", value: "1" });
  assert.deepEqual(parseSysctlAssignment("client:net.ipv4.ip_local_port_range=60000 60999"), {
    side: "client",
    key: "net.ipv4.ip_local_port_range",
    value: "60000 60999",
  });
});

test("refuses sysctls that are not kept per namespace, quoting them", () => {
  assert.throws(() => parseSysctlAssignment("vm.swappiness=10"), /per-namespace TCP sysctl .*got `vm.swappiness`/);
  assert.throws(() => parseSysctlAssignment("net.ipv4.tcp_max_orphans=10"), /got `net.ipv4.tcp_max_orphans`/);
});

test("refuses malformed input and values of the wrong shape", () => {
  assert.throws(() => parseSysctlAssignment("tcp_tw_reuse"), /Expected `--sysctl` to look like .*got `tcp_tw_reuse`/);
  assert.throws(() => parseSysctlAssignment("net.ipv4.tcp_tw_reuse=yes"), /to be an integer, got `yes`/);
  assert.throws(() => parseSysctlAssignment("net.ipv4.ip_local_port_range=1000"), /to be 2 integers, got `1000`/);
  assert.throws(() => parseSysctlAssignment("net.ipv4.ip_local_port_range=2000 1000"), /low ≤ high/);
});
