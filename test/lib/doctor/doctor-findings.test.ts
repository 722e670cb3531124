import assert from "node:assert/strict";
import { test } from "node:test";
import { diagnoseHost, parseSsSummary, type HostSnapshot } from "../../../src/lib/doctor/index.js";

function host(sysctls: Record<string, string>, counters: Record<string, number> = {}): HostSnapshot {
  return {
    kernel: "6.18.0",
    root: true,
    sysctls: {
      "net.ipv4.tcp_tw_reuse": "2",
      "net.ipv4.tcp_tw_reuse_delay": "1000",
      "net.ipv4.tcp_fin_timeout": "60",
      "net.ipv4.tcp_max_tw_buckets": "131072",
      "net.ipv4.ip_local_port_range": "32768 60999",
      "net.ipv4.tcp_timestamps": "1",
      "net.ipv4.tcp_keepalive_time": "7200",
      "net.ipv4.tcp_keepalive_intvl": "75",
      "net.ipv4.tcp_keepalive_probes": "9",
      "net.core.somaxconn": "4096",
      ...sysctls,
    },
    sockstat: { inuse: 1, orphan: 0, tw: 3, alloc: 1, memPages: 1 },
    counters,
    ssSummary: null,
    unreadable: [],
  };
}

const find = (snapshot: HostSnapshot, id: string) => diagnoseHost(snapshot).find((finding) => finding.id === id);

test("parses the TCP line of ss -s", () => {
  assert.deepEqual(parseSsSummary("Total: 11\nTCP:   2 (estab 0, closed 1, orphaned 0, timewait 1)\n"), { total: 2, established: 0, closed: 1, orphaned: 0, timeWait: 1 });
});

test("the defaults: loopback-only reuse is a warning, with the matrix command that measures it", () => {
  const reuse = find(host({}), "tcp_tw_reuse")!;
  assert.equal(reuse.level, "warn");
  assert.match(reuse.measure!, /^avsync tw-storm --matrix net\.ipv4\.tcp_tw_reuse=0,1,2 /);
  assert.match(find(host({}), "ip_local_port_range")!.title, /^28,232 ephemeral ports/);
  assert.match(find(host({}), "ip_local_port_range")!.why, /470 new outgoing connections per second/);
});

test("tcp_fin_timeout=30 is called what it is: no shorter TIME_WAIT", () => {
  const finding = find(host({ "net.ipv4.tcp_fin_timeout": "30" }), "tcp_fin_timeout")!;
  assert.equal(finding.title, "tcp_fin_timeout=30 does not shorten TIME_WAIT");
  assert.match(finding.why, /fixed 60 s/);
  assert.equal(finding.measure, "avsync tw-storm --matrix net.ipv4.tcp_fin_timeout=5,60 --cycles 300 --rate 300");
});

test("timestamps off and TIME_WAIT overflows are risks", () => {
  assert.equal(find(host({ "net.ipv4.tcp_timestamps": "0" }), "tcp_timestamps")!.level, "risk");
  assert.equal(find(host({}, { "TcpExt.TCPTimeWaitOverflow": 5 }), "tcp_max_tw_buckets")!.level, "risk");
  assert.equal(find(host({}), "tcp_max_tw_buckets"), undefined);
});

test("a kernel without tcp_tw_reuse_delay is told so", () => {
  const finding = find(host({ "net.ipv4.tcp_tw_reuse_delay": null as unknown as string }), "tcp_tw_reuse_delay")!;
  assert.match(finding.title, /^No tcp_tw_reuse_delay on this kernel/);
});
