// test: system, group storm
import assert from "node:assert/strict";
import { test } from "node:test";
import { loopbackWarning, runTwStorm } from "../../../src/lib/storm/index.js";
import { isRoot, notableCounters, stormOptions } from "./storm-flags.js";

const thousandPorts = "client:net.ipv4.ip_local_port_range=60000 60999";
const storm = { close: "client-terminate" as const, cycles: 2500, rate: 400, concurrency: 100 };

// Acceptance: 2,500 cycles at 400/s to one destination through 1,000 ports; three storms at once, each in its own place.
test("a 1,000-port range runs dry without reuse, not with reuse=1, never on loopback", { skip: !isRoot && "needs root" }, async (t) => {
  const [noReuse, reuse, loopback] = await Promise.all([
    runTwStorm(stormOptions({ ...storm, sysctl: [thousandPorts, "client:net.ipv4.tcp_tw_reuse=0"] })),
    runTwStorm(stormOptions({ ...storm, sysctl: [thousandPorts, "client:net.ipv4.tcp_tw_reuse=1", "net.ipv4.tcp_timestamps=1"] })),
    runTwStorm(stormOptions({ ...storm, topology: "loopback" })),
  ]);
  // Three storms at once on two shared cores: under a neighbour's load some handshakes time out (65 ETIMEDOUT at
  // load 7–10), so these count what the ports allowed — the SYNs the kernel sent and the EADDRNOTAVAIL — not successes.
  await t.test("tcp_tw_reuse=0: 1,000 connects (a port freed early by an RST aside), the rest fail with EADDRNOTAVAIL", () => {
    assert.equal(noReuse.sysctls.client["net.ipv4.ip_local_port_range"], "60000 60999");
    assert.equal(noReuse.sysctls.client["net.ipv4.tcp_tw_reuse"], "0");
    const { accounting } = noReuse.timeWait;
    const counters = Object.fromEntries(Object.entries(noReuse.counters.delta).map(([role, delta]) => [role, notableCounters(delta)]));
    t.diagnostic(`succeeded ${noReuse.cycles.succeeded}, errors ${JSON.stringify(noReuse.errorsByErrno)}; accounting ${JSON.stringify(accounting)}; kernel counters ${JSON.stringify(counters)}`);
    // 1,000 ports, one destination, no reuse: 1,000 SYNs. One CI run in many got 1,001: a port came free
    // early, which a TIME_WAIT killed by an RST does (tcp_rfc1337=0); the counters say which.
    const syns = accounting.evidence.synsSent;
    assert.ok(syns >= 1000 && syns <= 1005, `${syns} SYNs sent`);
    assert.equal(noReuse.errorsByErrno.EADDRNOTAVAIL, 2500 - syns, "every cycle without a port, and only those, failed with EADDRNOTAVAIL");
    assert.equal(accounting.noPort, 2500 - syns);
    assert.ok(Math.abs(accounting.unexplained) <= 5, JSON.stringify(accounting));
    // 1,000 cycles at 400/s take 2.5 s and the first failure comes right after; loaded, the rate sags (4.6 s
    // was seen beside a neighbour's load of 9); what matters is that the range ran dry mid-storm, never before 2.5 s.
    assert.ok(noReuse.cycles.firstFailureS! > 2.5 && noReuse.cycles.firstFailureS! < noReuse.cycles.stormDurationS, `first failure at ${noReuse.cycles.firstFailureS} s`);
    assert.equal(noReuse.predictions.expectedPortFailures, 1500);
    assert.ok(noReuse.series.errorsByErrno.length > 0);
  });
  await t.test("tcp_tw_reuse=1 with timestamps: the ports never run out", () => {
    // With reuse Linux takes a TIME_WAIT port once the second it entered TIME_WAIT has passed, so a port is
    // barred only while a cycle of this second or the last holds it: at 400/s, 800 of the 1,000 at most. A
    // storm that stalled and caught up (one CI run with a neighbour's load: 178 EADDRNOTAVAIL) can start more
    // than 1,000 in two seconds; then at most the excess may fail.
    const started = reuse.series.cyclesPerS.map(([, n]) => n);
    const excess = started.reduce((sum, n, i) => sum + Math.max(0, n + (started[i - 1] ?? 0) - 1000), 0);
    const failures = reuse.errorsByErrno.EADDRNOTAVAIL ?? 0;
    assert.ok(failures <= excess, `${failures} EADDRNOTAVAIL, started per second ${started.join(", ")} (${excess} beyond the 1,000 ports in two seconds): ${JSON.stringify(reuse.errorsByErrno)}`);
    assert.equal(reuse.timeWait.accounting.evidence.synsSent, 2500 - failures);
    assert.ok(reuse.counters.delta.client!["TcpExt.TWRecycled"]! > 0);
    assert.equal(reuse.predictions.expectedPortFailures, 0);
  });
  await t.test("127.0.0.1 with the host's defaults: the ports never run out, and the warning", () => {
    assert.equal(loopback.topology.kind, "loopback");
    assert.equal(loopback.errorsByErrno.EADDRNOTAVAIL, undefined, JSON.stringify(loopback.errorsByErrno));
    assert.ok(loopback.warnings.includes(loopbackWarning));
  });
});

// Issue 18's acceptance storm, exactly as the command runs it (`--sysctl` unprefixed: both namespaces). It used to
// report 2.504 s and 998/s: its duration stopped at the last success. A cycle never starts before it is due, so the
// last one starts at ≥ 6.25 s and the rate cannot exceed 400/s; what a loaded machine adds is lag at the end.
test("the exhaustion storm reports the duration and rate it ran at: 6.25 s and 400/s, failures included", { skip: !isRoot && "needs root" }, async (t) => {
  const result = await runTwStorm(stormOptions({ cycles: 2500, rate: 400, sysctl: ["net.ipv4.ip_local_port_range=40000 40999", "net.ipv4.tcp_tw_reuse=0"] }));
  const { cycles, predictions, timeWait } = result;
  t.diagnostic(`${cycles.stormDurationS} s, ${cycles.achievedRatePerS.toFixed(1)}/s, first failure ${cycles.firstFailureS} s (predicted ${predictions.expectedFirstPortFailureS} s); started per second ${result.series.cyclesPerS.map(([, started]) => started).join(", ")}`);
  assert.equal(cycles.started, 2500);
  const lastStartSecond = Math.max(...result.series.cyclesPerS.filter(([, started]) => started > 0).map(([tMs]) => tMs / 1000));
  assert.ok(cycles.stormDurationS >= lastStartSecond, "the duration reaches the last second a cycle started in");
  // The last start is due at 6.25 s (Date.now() is whole milliseconds: 2 ms of slack below). Beside neighbours
  // (load 6–10), once with a busy core as well, four runs read 6.252–6.265 s; a load of 10–16 stretched it to 8.6 s.
  assert.ok(cycles.stormDurationS >= 6.248 && cycles.stormDurationS <= 6.25 * 1.1, `duration ${cycles.stormDurationS} s`);
  assert.ok(cycles.achievedRatePerS <= 400.2 && cycles.achievedRatePerS >= 400 / 1.1, `rate ${cycles.achievedRatePerS}/s`);
  assert.ok(Math.abs(cycles.achievedRatePerS * cycles.stormDurationS - 2500) < 1e-6);
  // What the kernel allowed is what was predicted from the range and tcp_tw_reuse=0 (a port freed by an RST aside).
  assert.deepEqual([predictions.portRange, predictions.expectedPeakTw, predictions.expectedPortFailures], [1000, 1000, 1500]);
  assert.ok(Math.abs(result.errorsByErrno.EADDRNOTAVAIL! - 1500) <= 5, JSON.stringify(result.errorsByErrno));
  assert.ok(Math.abs(timeWait.peak.client! - timeWait.baseline.client! - predictions.expectedPeakTw) <= 5, `client TIME_WAIT peak ${timeWait.peak.client}`);
  // Cycle 1,001 is due at 2.5025 s and cannot fail before; the range ran dry mid-storm, before its last start.
  assert.ok(cycles.firstFailureS! >= 2.5025 - 0.002 && cycles.firstFailureS! < 6.25, `first failure at ${cycles.firstFailureS} s, predicted ${predictions.expectedFirstPortFailureS} s`);
  assert.equal(timeWait.accounting.unexplained, 0, JSON.stringify(timeWait.accounting));
});
