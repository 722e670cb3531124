// test: system
// Not in the media group: the figures it compares are on the sender clock (RTP timestamps and Sender
// Reports) and packet counts, which a busy core does not move.
// `bench --metrics-port` (issue 15): scraped while the run goes, the live figures must be what the run
// itself then reports: sessions up, packets no more than result.json counts in the end, no loss on
// loopback, and the live transport offset of an injected schedule error within 3 ms of the finished
// run's transport relative delay (itself checked against the pusher's ledger elsewhere).
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import type { BenchResult } from "../../src/lib/bench/index.js";
import { tempDir } from "../helpers/temp-dir.js";

const bin = fileURLToPath(new URL("../../bin/run.js", import.meta.url));

// `name{labels} value` lines of Prometheus' text format, by name and label set.
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-z_:][a-z0-9_:]*(?:\{[^}]*\})?) (\S+)$/i.exec(line);
    if (match) values.set(match[1]!, Number(match[2]));
  }
  return values;
}

test("bench --metrics-port serves the live run in Prometheus' format, agreeing with the finished run", async (t) => {
  const out = tempDir("avsync-metrics-");
  const child = spawn(process.execPath, [bin, "bench", "--sessions", "2", "--duration", "14", "--schedule-offset-ms", "80", "--metrics-port", "0", "--out", out], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no metrics URL within 30 s: ${stderr}`)), 30_000);
      child.stderr.on("data", () => {
        const found = /live metrics \(Prometheus\) at (\S+)/.exec(stderr)?.[1];
        if (found) (clearTimeout(timer), resolve(found));
      });
    });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // Scrape until 12 s of media have gone by: both sessions up, the offset known over a full window.
    let live = new Map<string, number>();
    let text = "";
    for (let i = 0; i < 60; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const response = await fetch(url);
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      text = await response.text();
      live = parseMetrics(text);
      if ((live.get('avsync_sessions{state="connected"}') ?? 0) === 2 && (live.get("avsync_run_elapsed_seconds") ?? 0) >= 14) break;
    }
    assert.equal((await fetch(url.replace("/metrics", "/other"))).status, 404);
    assert.equal(live.get('avsync_sessions{state="requested"}'), 2, text);
    assert.equal(live.get('avsync_sessions{state="connected"}'), 2, text);
    assert.equal(live.get('avsync_sessions{state="failed"}'), 0, text);
    assert.ok((live.get("avsync_process_resident_memory_bytes") ?? 0) > 10e6, "the process's memory is there for a soak to watch");
    // Each thread's heap: the probe's (main) and the embedded target's; `live` only after a major collection.
    for (const thread of ["main", "target"]) {
      const used = live.get(`avsync_heap_used_bytes{thread="${thread}"}`) ?? 0;
      assert.ok(used > 4e6 && used < 2e9, `${thread} heap in use ${used}: ${text}`);
      assert.ok((live.get(`avsync_heap_major_collections{thread="${thread}"}`) ?? -1) >= 0, text);
    }
    assert.equal(await exited, 0, stderr);

    const result = JSON.parse(readFileSync(`${out}/result.json`, "utf8")) as BenchResult;
    for (const session of result.sessions!) {
      for (const kind of ["audio", "video"] as const) {
        const packets = live.get(`avsync_received_packets_total{session="${session.index}",kind="${kind}"}`)!;
        assert.ok(packets > 0 && packets <= session.received[`${kind}Packets`], `session ${session.index} ${kind}: ${packets} live, ${session.received[`${kind}Packets`]} in the end`);
        assert.equal(live.get(`avsync_lost_packets_total{session="${session.index}",kind="${kind}"}`), 0);
      }
    }
    const liveOffset = live.get('avsync_transport_offset_ms{session="0"}')!;
    const finished = result.probe!.transport.relativeDelayMs.p50!;
    t.diagnostic(`transport offset: live ${liveOffset.toFixed(2)} ms (last 10 s), the finished run ${finished.toFixed(2)} ms`);
    assert.ok(Math.abs(liveOffset - finished) <= 3, `live transport offset ${liveOffset} ms, the finished run's ${finished} ms`);
    assert.ok(Math.abs(Math.abs(liveOffset) - 80) <= 10, `the injected 80 ms schedule error: live ${liveOffset} ms`);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("a --metrics-port that does not parse is one line, exit 2", async () => {
  const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, "bench", "--metrics-port", "nine"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d.toString()));
    child.once("exit", (code) => resolve({ code, stderr }));
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /Expected `--metrics-port` to be a port \(e\.g\. 9464\) or host:port \(e\.g\. 0\.0\.0\.0:9464\), got `nine`/);
  assert.doesNotMatch(run.stderr, /\n\s+at /);
});

// --checkpoint: a run killed with SIGKILL (no handler runs) leaves its last checkpoint: the result so far,
// marked incomplete, with each session's live figures, and `avsync report` reads it.
test("a run killed with kill -9 leaves its last --checkpoint result.json, which `report` reads", async () => {
  const out = tempDir("avsync-checkpoint-");
  const child = spawn(process.execPath, [bin, "bench", "--duration", "60", "--checkpoint", "2", "--out", out], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no media within 30 s: ${stderr}`)), 30_000);
      child.stderr.on("data", () => /receiving media/.test(stderr) && (clearTimeout(timer), resolve()));
    });
    // Two checkpoints' worth of media, then the hard kill.
    await new Promise((r) => setTimeout(r, 5000));
    child.kill("SIGKILL");
    assert.equal(await exited, "SIGKILL");
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  const saved = JSON.parse(readFileSync(`${out}/result.json`, "utf8")) as BenchResult;
  assert.equal(saved.complete, false);
  assert.match(saved.incompleteReason!, /^checkpoint at \d+ s: the run was still going/);
  const session = saved.live!.sessions[0]!;
  assert.ok(session.packets.audio > 100 && session.packets.video > 60, JSON.stringify(session));
  assert.equal(session.lost.audio + session.lost.video, 0);
  assert.ok(session.transportOffsetMs !== null && Math.abs(session.transportOffsetMs) < 10, `transport offset ${session.transportOffsetMs} ms, none injected`);
  const report = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const r = spawn(process.execPath, [bin, "report", out], { stdio: ["ignore", "ignore", "pipe"] });
    let text = "";
    r.stderr.on("data", (d) => (text += d.toString()));
    r.once("exit", (code) => resolve({ code, stderr: text }));
  });
  assert.equal(report.code, 2, report.stderr);
  assert.match(report.stderr, /did not complete/);
});
