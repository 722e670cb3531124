// test: system, group media
// Issue 15's soak check, five minutes: `bench --segment 20` with 4 sessions holds one segment's packet
// records, not the run's, so its memory stops growing after the warm-up: what the threads' major
// collections leave (avsync_heap_live_bytes: heap and Buffers, main and target together) peaks < 10 %
// higher over the last 90 s than over the 90 s after the first minute, and RSS < 25 % (see below); `kill -9` before it finishes
// leaves the last --checkpoint: the result so far with every segment measured until then. Not timing-sensitive itself (memory, counts, the sender clock), but
// five minutes of 4 real-time sessions beside the browser tests that stall their page on purpose made those
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
  // The peak of a 90 s window, several segments long, against the window after the warm-up: what a
  // leak raises. RSS is not that measure on its own: it saws with each thread's collections, and the
  // embedded target's thread goes 60–180 s between major ones (its heap and Buffers then fall by
  // 30–40 MB). CI 52 read RSS's peak +15.2 % (277 MB, then 236 at the next reading) while the records
  // held stayed bounded; runs with the per-thread figures read RSS 212–276 MB and every thread's live
  // memory flat (main 76–107 MB as segments are measured and let go, the target's 24–27 MB).
  const peak = (xs: typeof samples, read: (x: (typeof samples)[number]) => number): number => Math.max(...xs.map(read).filter(Number.isFinite));
  const last = samples.at(-1)!;
  const warmSamples = samples.filter((x) => x.s >= warmupS && x.s < warmupS + windowS);
  const endSamples = samples.filter((x) => x.s > last.s - windowS);
  // A thread's live figure comes with its first major collection; the target's may come after the warm window.
  const growth = (read: (x: (typeof samples)[number]) => number): { warm: number; end: number; pct: number } => {
    const warm = warmSamples.some((x) => Number.isFinite(read(x))) ? peak(warmSamples, read) : (samples.map(read).find(Number.isFinite) ?? NaN);
    const end = peak(endSamples, read);
    return { warm, end, pct: ((end - warm) / warm) * 100 };
  };
  const rss = growth((x) => x.rssMb);
  const live = Object.fromEntries(threads.map((thread) => [thread, growth((x) => x.liveMb[thread]!)]));
  // Judged together: the target's heap is small (21–27 MB), and its first major collection, ~100 s in,
  // still comes during its warm-up (24 → 27 MB between its first and second in one run, 21 → 21 in another).
  const total = growth((x) => threads.reduce((sum, thread) => sum + x.liveMb[thread]!, 0));
  t.diagnostic(
    `peaks over ${warmupS}–${warmupS + windowS} s and the last ${windowS} s to ${last.s.toFixed(0)} s: RSS ${rss.warm.toFixed(0)} → ${rss.end.toFixed(0)} MB (${rss.pct.toFixed(1)} %), ` +
      `live ${total.warm.toFixed(0)} → ${total.end.toFixed(0)} MB (${total.pct.toFixed(1)} %: ` +
      threads.map((thread) => `${thread} ${live[thread]!.warm.toFixed(0)} → ${live[thread]!.end.toFixed(0)}`).join(", ") +
      ")" +
      `; RSS readings ${samples.map((x) => x.rssMb.toFixed(0)).join(" ")}; records held ${last.held} of ${last.received} packets received`,
  );
  assert.ok(total.pct < 10, `live memory (main and target threads) grew ${total.pct.toFixed(1)} % after the warm-up (NaN: a thread had no major collection in the run)`);
  assert.ok(rss.pct < 25, `RSS grew ${rss.pct.toFixed(1)} % after the warm-up`);
  assert.ok(last.held < 0.5 * last.received, `records held ${last.held} of ${last.received}: measured segments were not let go`);

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
