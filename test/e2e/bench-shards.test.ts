// test: system, group media
// Not in the media group: every figure it asserts is on the sender clock (RTP timestamps and Sender
// Reports), which a busy core does not move; only the connections must come up.
// Issue 15's local proof of sharding: one embedded target (`avsync serve`) in a network namespace of
// the test's own, on a bridge 10.215.0.1/24; four shard processes (`bench --shard k/4`), each in its own
// namespace with its own address 10.215.0.(10+k) on that bridge, started together by --start-at; then
// `report --merge`. The merged run must hold every session, read what one process running all of them
// reads, and fail itu-detect when one shard watched a target whose content is 60 ms off. Nothing leaves
// the test's namespaces; every one is removed after the file, every process stopped by its pid.
import { strict as assert } from "node:assert";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { execa } from "execa";
import type { BenchResult } from "../../src/lib/bench/index.js";
import { removeNamespaces } from "../../src/lib/netns/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const isRoot = process.getuid?.() === 0;
const bin = fileURLToPath(new URL("../../bin/run.js", import.meta.url));
const shards = 4;
const sessions = 8;
const durationS = 5;
// Named as avsync names its own (prefix, then the owner pid), so no other test's orphan cleanup takes them for a dead run's.
const targetNs = `avsync-${process.pid}-shard-t`;
const shardNs = (k: number): string => `avsync-${process.pid}-shard-${k}`;
const targetAddress = "10.215.0.1";

// Runs the built CLI (in a namespace when given); its exit code and output.
function cli(args: string[], netns?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const [file, argv] = netns ? ["ip", ["netns", "exec", netns, process.execPath, bin, ...args]] : [process.execPath, [bin, ...args]];
  return new Promise((resolve) => {
    execFile(file, argv as string[], { timeout: 120_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

// `avsync serve` in the target's namespace; resolves with its URL once it listens.
function serve(port: number, extra: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn("ip", ["netns", "exec", targetNs, process.execPath, bin, "serve", "--host", targetAddress, "--port", String(port), "--max-sessions", "20", ...extra], {
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      process.kill(-child.pid!, "SIGTERM");
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`serve did not listen within 20 s: ${log}`))), 20_000);
    child.stderr!.on("data", (d) => {
      log += d.toString();
      const url = /avsync target listening: (\S+)/.exec(log)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, stop });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}): ${log}`));
    });
  });
}

async function ip(args: string[]): Promise<void> {
  await execa("ip", args);
}

// The target's namespace holds a bridge; each shard's namespace a veth whose other end is on it.
async function createNamespaces(): Promise<void> {
  await ip(["netns", "add", targetNs]);
  await ip(["-n", targetNs, "link", "set", "lo", "up"]);
  await ip(["-n", targetNs, "link", "add", "br0", "type", "bridge"]);
  await ip(["-n", targetNs, "addr", "add", `${targetAddress}/24`, "dev", "br0"]);
  await ip(["-n", targetNs, "link", "set", "br0", "up"]);
  for (let k = 0; k < shards; k++) {
    await ip(["netns", "add", shardNs(k)]);
    await ip(["-n", shardNs(k), "link", "set", "lo", "up"]);
    await ip(["link", "add", "avs-shard", "netns", shardNs(k), "type", "veth", "peer", "name", `avs-p${k}`, "netns", targetNs]);
    await ip(["-n", shardNs(k), "addr", "add", `10.215.0.${10 + k}/24`, "dev", "avs-shard"]);
    await ip(["-n", shardNs(k), "link", "set", "avs-shard", "up"]);
    await ip(["-n", targetNs, "link", "set", `avs-p${k}`, "master", "br0"]);
    await ip(["-n", targetNs, "link", "set", `avs-p${k}`, "up"]);
  }
}

// Shard k of the run against `url`, started at `startAt`; its result.json.
async function runShard(k: number, url: string, startAt: string, out: string): Promise<BenchResult> {
  const run = await cli(["bench", "--target", url, "--sessions", String(sessions), "--shard", `${k}/${shards}`, "--start-at", startAt, "--duration", String(durationS), "--out", out], shardNs(k));
  assert.equal(run.code, 0, `shard ${k}: ${run.stderr}`);
  return JSON.parse(readFileSync(`${out}/result.json`, "utf8")) as BenchResult;
}

describe("bench --shard k/4 in four namespaces against one target, merged", { skip: isRoot ? false : "needs root (network namespaces)" }, () => {
  let clean: { url: string; stop: () => Promise<void> };
  let late: { url: string; stop: () => Promise<void> };
  const dirs = Array.from({ length: shards }, () => tempDir("avsync-shard-"));
  const shardResults: BenchResult[] = [];

  before(async () => {
    await createNamespaces();
    clean = await serve(8080, []);
    late = await serve(8081, ["--content-offset-ms", "60"]);
  });
  after(async () => {
    await clean?.stop();
    await late?.stop();
    await removeNamespaces([targetNs, ...Array.from({ length: shards }, (_, k) => shardNs(k))]);
    const { stdout } = await execa("ip", ["netns", "list"]);
    assert.doesNotMatch(stdout, new RegExp(`avsync-${process.pid}-shard-`), "every namespace of the test is gone");
  });

  test("four shards started together hold every session once, each from its own address, and merge into one passing run", async (t) => {
    const startAt = new Date(Date.now() + 10_000).toISOString();
    shardResults.push(...(await Promise.all(dirs.map((dir, k) => runShard(k, clean.url, startAt, dir)))));
    for (const [k, r] of shardResults.entries()) {
      assert.deepEqual(r.shard, { index: k, count: shards, sessions: { from: 2 * k, to: 2 * k + 2, total: sessions }, startAt });
      assert.deepEqual(r.sessions!.map((s) => s.index), [2 * k, 2 * k + 1]);
      assert.equal(r.received.icePath?.local.address, `10.215.0.${10 + k}`, `shard ${k}'s media came to its own address`);
      // Started together: each shard's first session joined within a few seconds of --start-at.
      const startedMs = Date.parse(r.meta.startedAt);
      assert.ok(startedMs < Date.parse(startAt), `shard ${k} started before --start-at and waited`);
    }
    const out = tempDir("avsync-merged-");
    const merge = await cli(["report", "--merge", ...dirs, "--out", out, "--gate", "itu-detect"]);
    assert.equal(merge.code, 0, merge.stderr);
    const merged = JSON.parse(readFileSync(`${out}/result.json`, "utf8")) as BenchResult;
    assert.equal(merged.complete, true);
    assert.equal(merged.aggregate!.measured, sessions);
    assert.deepEqual(merged.sessions!.map((s) => s.index), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(merged.pooled!.sessions, sessions);
    assert.equal(merged.pooled!.senderOffsetMs.summary.count, shardResults.reduce((n, r) => n + r.pooled!.senderOffsetMs.summary.count, 0));

    // The same eight sessions from one process: the pooled sender-clock offsets agree within noise
    // (sender clock: exact to the RTP tick, 0.01 ms at 90 kHz; the HDR histograms' 0.01 %).
    const single = tempDir("avsync-single-");
    const one = await cli(["bench", "--target", clean.url, "--sessions", String(sessions), "--duration", String(durationS), "--out", single], shardNs(0));
    assert.equal(one.code, 0, one.stderr);
    const whole = (JSON.parse(readFileSync(`${single}/result.json`, "utf8")) as BenchResult).pooled!.senderOffsetMs.summary;
    const pooled = merged.pooled!.senderOffsetMs.summary;
    t.diagnostic(`sender-clock offset, merged 4 shards: p50 ${pooled.p50} p95 ${pooled.p95} (n=${pooled.count}); one process: p50 ${whole.p50} p95 ${whole.p95} (n=${whole.count})`);
    assert.ok(Math.abs(pooled.p50! - whole.p50!) <= 1 && Math.abs(pooled.p95! - whole.p95!) <= 1, "merged and single-process offsets agree within 1 ms");
  });

  test("a shard that watched content 60 ms off fails the merged itu-detect gate (exit 1), naming every session's markers", async () => {
    assert.equal(shardResults.length, shards, "the shards of the test before ran");
    const lateDir = tempDir("avsync-shard-late-");
    await runShard(2, late.url, new Date(Date.now() + 1000).toISOString(), lateDir);
    const out = tempDir("avsync-merged-late-");
    const merge = await cli(["report", "--merge", dirs[0]!, dirs[1]!, lateDir, dirs[3]!, "--out", out, "--gate", "itu-detect"]);
    assert.equal(merge.code, 1, merge.stderr);
    assert.match(merge.stderr, /worst marker \+6\d\.\d ms is 1\d\.\d ms above \+45 ms \(sender clock, all 8 sessions/);
  });

  test("a missing shard makes the merge incomplete (exit 2) and names it", async () => {
    const out = tempDir("avsync-merged-missing-");
    const merge = await cli(["report", "--merge", dirs[0]!, dirs[1]!, dirs[3]!, "--out", out]);
    assert.equal(merge.code, 2, merge.stderr);
    assert.match(merge.stderr, /The merged run is incomplete: shard 2 of 4 is missing/);
  });
});
