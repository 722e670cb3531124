import assert from "node:assert/strict";
import { test } from "node:test";
import { cellSysctls, expandMatrix, judgeMatrix, lifetimeFromTimersS, parseMatrixAxis, type MatrixCellSummary } from "../../../src/lib/matrix/index.js";
import type { TwStormResult } from "../../../src/lib/storm/index.js";

test("parses full and short keys with their values", () => {
  assert.deepEqual(parseMatrixAxis("net.ipv4.tcp_tw_reuse=0,1,2"), { key: "net.ipv4.tcp_tw_reuse", values: ["0", "1", "2"] });
  assert.deepEqual(parseMatrixAxis("ip_local_port_range=60000 60999,32768  60999"), { key: "net.ipv4.ip_local_port_range", values: ["60000 60999", "32768 60999"] });
});

test("a bad key or value is quoted back before anything starts", () => {
  assert.throws(() => parseMatrixAxis("vm.swappiness=1,2"), /to vary one of .*got `vm.swappiness`/);
  assert.throws(() => parseMatrixAxis("tcp_tw_reuse=0,3"), /to be one of 0, 1, 2, got `3`/);
  assert.throws(() => parseMatrixAxis("tcp_fin_timeout=5,soon"), /to be an integer from 1 to .*got `soon`/);
  assert.throws(() => parseMatrixAxis("ip_local_port_range=2000 1000"), /low ≤ high.*got `2000 1000`/);
  assert.throws(() => parseMatrixAxis("tcp_tw_reuse"), /to look like `net.ipv4.tcp_tw_reuse=0,1,2`, got `tcp_tw_reuse`/);
  assert.throws(() => parseMatrixAxis("tcp_tw_reuse=1,1"), /distinct values/);
});

test("cells are the product of the axes; a key fixed by --sysctl cannot also vary", () => {
  const axes = [parseMatrixAxis("tcp_tw_reuse=0,1"), parseMatrixAxis("tcp_fin_timeout=5,60")];
  const cells = expandMatrix(axes, []);
  assert.deepEqual(cells.map((cell) => cell.label), ["tcp_tw_reuse=0 tcp_fin_timeout=5", "tcp_tw_reuse=0 tcp_fin_timeout=60", "tcp_tw_reuse=1 tcp_fin_timeout=5", "tcp_tw_reuse=1 tcp_fin_timeout=60"]);
  const fixed = [{ side: "client" as const, key: "net.ipv4.ip_local_port_range", value: "60000 60999" }];
  assert.deepEqual(cellSysctls(cells[0]!, fixed).at(-1), { side: "both", key: "net.ipv4.tcp_fin_timeout", value: "5" });
  assert.throws(() => expandMatrix(axes, [{ side: "both", key: "net.ipv4.tcp_tw_reuse", value: "1" }]), /both fixed by `--sysctl` and varied by `--matrix`/);
  assert.throws(() => expandMatrix([axes[0]!, axes[0]!], []), /got `net.ipv4.tcp_tw_reuse` twice/);
});

test("lifetime from ss timers: the newest socket's bounds after the last close", () => {
  // Last close at 1 s; at 1.2 s the newest have 59.x s left (lifetime in [59.2, 60.2)), at 31.2 s 29.x s (the same);
  // the sample before the last close does not count.
  const storm = { cycles: { lastCloseS: 1 }, series: { twTimers: [[500, { "59": 3 }], [1200, { "59": 10, "58": 4 }], [31_200, { "29": 10 }]] } } as unknown as TwStormResult;
  assert.equal(lifetimeFromTimersS(storm), 59.7);
});

function cell(settings: Record<string, string>, overrides: Partial<MatrixCellSummary>): MatrixCellSummary {
  return {
    label: JSON.stringify(settings),
    settings,
    cycles: { started: 300, succeeded: 300, failed: 0 },
    timeWaitPeak: { client: 300, server: 0, total: 300 },
    finWait2Peak: 0,
    lifetimeS: { fromTimers: 60, fromDrain: 60 },
    eaddrnotavail: 0,
    firstFailureS: null,
    connectUs: { count: 300, p50: 100, p95: 200, p99: 300, max: 400 },
    counters: { TW: 300, TWRecycled: 0, TCPTimeWaitOverflow: 0 },
    portReuse: { samples: [], reusedAfterMs: null, giveUpMs: 10_000 },
    ...overrides,
  };
}

test("the verdict says what changed and what did not, with the numbers", () => {
  const axis = parseMatrixAxis("tcp_fin_timeout=5,60");
  const [verdict] = judgeMatrix([axis], [
    cell({ "net.ipv4.tcp_fin_timeout": "5" }, { lifetimeS: { fromTimers: 60.3, fromDrain: 60.1 } }),
    cell({ "net.ipv4.tcp_fin_timeout": "60" }, { lifetimeS: { fromTimers: 59.8, fromDrain: 60.0 } }),
  ]);
  assert.equal(verdict!.headline, "TIME_WAIT lifetime 60.3 s at tcp_fin_timeout=5 and 59.8 s at 60: no effect on TIME_WAIT");
  assert.deepEqual(verdict!.changed, []);
  assert.match(verdict!.docsUrl, /^https:\/\/docs\.kernel\.org\/networking\/ip-sysctl\.html/);

  const reuse = judgeMatrix([parseMatrixAxis("tcp_tw_reuse=0,1")], [
    cell({ "net.ipv4.tcp_tw_reuse": "0" }, { eaddrnotavail: 1500 }),
    cell({ "net.ipv4.tcp_tw_reuse": "1" }, { counters: { TW: 2500, TWRecycled: 2000, TCPTimeWaitOverflow: 0 }, portReuse: { samples: [], reusedAfterMs: 1004, giveUpMs: 10_000 } }),
  ])[0]!;
  assert.deepEqual(reuse.changed.map((entry) => entry.sentence), [
    "EADDRNOTAVAIL 1,500 at tcp_tw_reuse=0 and 0 at 1",
    "a TIME_WAIT port reused after never (within the probe's 10 s) at tcp_tw_reuse=0 and 1004 ms at 1",
    "TWRecycled 0 at tcp_tw_reuse=0 and 2,000 at 1",
  ]);
});
