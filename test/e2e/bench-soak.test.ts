// test: system, group media
// Issue 15's soak check, five minutes: `bench --segment 20` with 4 sessions holds one segment's packet
// records, not the run's, so its memory stops growing after the warm-up: over the last 90 s against the
// 90 s after the first minute, RSS's peak or the least of what the threads' major collections leave
// (avsync_heap_live_bytes: heap and Buffers, main and target together) grows < 10 %, and RSS's peak < 25 %
// (see below); `kill -9` before it finishes leaves the last --checkpoint: the result so far with every
// segment measured until then. Not timing-sensitive itself (memory, counts, the sender clock), but five
// minutes of 4 real-time sessions beside the browser tests that stall their page on purpose made those
// read beeps 150–216 ms late (CIs 43, 44): in the media group it never runs beside them.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import type { BenchResult } from "../../src/lib/bench/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const bin = fileURLToPath(new URL("../../bin/run.js", import.meta.url));
const sessions = 4;
const receiveS = 285;
const warmupS = 60;
const windowS = 90;
const threads = ["main", "target"];

const rssMb = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

test("five minutes of --segment 20: memory flat after the warm-up, held records bounded, kill -9 leaves the segments so far", { timeout: 420_000 }, async (t) => {
  const out = tempDir("avsync-soak-");
  const child = spawn(process.execPath, [bin, "bench", "--sessions", String(sessions), "--duration", "330", "--segment", "20", "--checkpoint", "30", "--metrics-port", "0", "--out", out], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  const samples: Array<{ s: number; rssMb: number; liveMb: Record<string, number>; held: number; received: number }> = [];
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no metrics within 30 s: ${stderr}`)), 30_000);
      child.stderr.on("data", () => {
        const found = /live metrics \(Prometheus\) at (\S+)/.exec(stderr)?.[1];
        if (found && /receiving media/.test(stderr)) (clearTimeout(timer), resolve(found));
      });
    });
    const startMs = Date.now();
    while ((Date.now() - startMs) / 1000 < receiveS) {
      await new Promise((r) => setTimeout(r, 5000));
      const text = await fetch(url).then(
        (response) => response.text(),
        (error: Error) => {
          throw new Error(`the run's metrics went away at ${((Date.now() - startMs) / 1000).toFixed(0)} s (${error.message}): ${stderr.slice(-600)}`);
        },
      );
      const sum = (name: string): number => [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, "gm"))].reduce((n, m) => n + Number(m[1]), 0);
      const liveMb = Object.fromEntries(threads.map((thread) => [thread, Number(new RegExp(`^avsync_heap_live_bytes\\{thread="${thread}"\\} (\\S+)$`, "m").exec(text)?.[1] ?? NaN) / 2 ** 20]));
      samples.push({ s: (Date.now() - startMs) / 1000, rssMb: rssMb(child.pid!), liveMb, held: sum("avsync_held_packets"), received: sum("avsync_received_packets_total") });
    }
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  // Two 90 s windows, several segments long: the one after the warm-up against the run's last. RSS is
  // no measure of a leak on its own: it saws with each thread's collections, and the embedded target's
  // thread goes 60–180 s between major ones (its heap and Buffers then fall by 30–40 MB); CI 52 read
  // RSS's peak +15.2 % (277 MB, then 236 at the next reading) with the records held bounded. Nor is the
  // peak of what collections leave: the main thread's reads 76–118 MB by where in a segment each
  // collection falls (records held, frames being decoded), and CI 57 read its peaks 80 → 105 MB. A leak
  // raises the floor, what is left once a segment is measured and let go (the least per thread, added),
  // but that floor too moved 74 → 81 MB in one run. Memory that leaks is live and resident both, so the
  // run fails when both grew 10 %; each alone has from the collector's timing.
  const lastSample = samples.at(-1)!;
  const windows = {
    warm: samples.filter((x) => x.s >= warmupS && x.s < warmupS + windowS),
    end: samples.filter((x) => x.s > lastSample.s - windowS),
  };
  const least = (xs: typeof samples, read: (x: (typeof samples)[number]) => number): number => Math.min(...xs.map(read).filter(Number.isFinite));
  // A thread's live figure comes with its first major collection; the target's may come after the warm window.
  const floorMb = (thread: string, window: typeof samples): number => {
    const seen = least(window, (x) => x.liveMb[thread]!);
    return Number.isFinite(seen) ? seen : (samples.map((x) => x.liveMb[thread]!).find(Number.isFinite) ?? NaN);
  };
  const floors = Object.fromEntries(threads.map((thread) => [thread, { warm: floorMb(thread, windows.warm), end: floorMb(thread, windows.end) }]));
  const sum = (which: "warm" | "end"): number => threads.reduce((total, thread) => total + floors[thread]![which], 0);
  const liveGrowth = ((sum("end") - sum("warm")) / sum("warm")) * 100;
  const rssPeak = (xs: typeof samples): number => Math.max(...xs.map((x) => x.rssMb));
  const rssGrowth = ((rssPeak(windows.end) - rssPeak(windows.warm)) / rssPeak(windows.warm)) * 100;
  t.diagnostic(
    `${warmupS}–${warmupS + windowS} s against the last ${windowS} s to ${lastSample.s.toFixed(0)} s: live memory's least ${sum("warm").toFixed(0)} → ${sum("end").toFixed(0)} MB (${liveGrowth.toFixed(1)} %: ` +
      threads.map((thread) => `${thread} ${floors[thread]!.warm.toFixed(0)} → ${floors[thread]!.end.toFixed(0)}`).join(", ") +
      `), RSS's peak ${rssPeak(windows.warm).toFixed(0)} → ${rssPeak(windows.end).toFixed(0)} MB (${rssGrowth.toFixed(1)} %); records held ${lastSample.held} of ${lastSample.received} packets received`,
  );
  t.diagnostic(`every 5 s, RSS/main live/target live MB: ${samples.map((x) => [x.rssMb, ...threads.map((thread) => x.liveMb[thread]!)].map((v) => v.toFixed(0)).join("/")).join(" ")}`);
  assert.ok(liveGrowth < 10 || rssGrowth < 10, `live memory (main and target threads) grew ${liveGrowth.toFixed(1)} % and RSS ${rssGrowth.toFixed(1)} % after the warm-up (NaN: a thread had no major collection in the run)`);
  assert.ok(rssGrowth < 25, `RSS grew ${rssGrowth.toFixed(1)} % after the warm-up`);
  assert.ok(lastSample.held < 0.5 * lastSample.received, `records held ${lastSample.held} of ${lastSample.received}: measured segments were not let go`);

  const saved = JSON.parse(readFileSync(`${out}/result.json`, "utf8")) as BenchResult;
  assert.equal(saved.complete, false);
  assert.match(saved.incompleteReason!, /^checkpoint at \d+ s/);
  const segments = saved.segmented!.segments;
  for (let session = 0; session < sessions; session++) {
    const own = segments.filter((s) => s.session === session);
    assert.ok(own.length >= 10, `session ${session}: ${own.length} segments measured before the kill`);
    assert.ok(own.every((s) => s.markersPaired > 0 && Math.abs(s.senderOffsetP50Ms!) <= 0.5), JSON.stringify(own));
  }
});
