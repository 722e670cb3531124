// Every output from one result, and strings from a target escaped in each format.
import { strict as assert } from "node:assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseGateSpec } from "../../../src/lib/gate/index.js";
import type { DoctorReport } from "../../../src/lib/doctor/index.js";
import { chartSpecsFor, finishRun, formatDoctorReport, renderRunReports } from "../../../src/lib/report/index.js";
import { syntheticBenchResult } from "./synthetic-bench-result.js";

const hostile = `</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"> | ** [link](http://x) 'q' "dq" \` & \n| broken | row |`;

test("a run folder gets report.html, a PNG per chart, summary.md and, when gated, junit.xml", async () => {
  const folder = mkdtempSync(join(tmpdir(), "avsync-render-"));
  try {
    const result = syntheticBenchResult({ durationS: 30 });
    const ungated = await renderRunReports(folder, result, null);
    const ids = chartSpecsFor(result).map((c) => c.id);
    assert.deepEqual(ids, ["offset-over-time", "audio-timestamp-steps", "video-timestamp-steps", "arrival-jitter", "pacing-lateness"]);
    assert.deepEqual(readdirSync(folder).sort(), ["report.html", "summary.md", ...ids.map((id) => `${id}.png`)].sort());
    assert.equal(ungated.gate, null);
    for (const id of ids) assert.deepEqual([...readFileSync(join(folder, `${id}.png`)).subarray(1, 4)], [...Buffer.from("PNG")]);

    const html = readFileSync(join(folder, "report.html"), "utf8");
    assert.doesNotMatch(html, /https?:\/\/(?!avsync)[^"' ]*\.(js|css)/, "no external script or style");
    assert.match(html, /Chart\.js v4/);
    assert.match(html, /ITU-R BT\.1359 detectability/);

    const gated = await renderRunReports(folder, syntheticBenchResult({ durationS: 30, contentOffsetMs: 60 }), parseGateSpec({ gate: ["itu-detect"], threshold: ["offset.content.p95 < 45"] }, "bench", null));
    assert.equal(gated.exitCode, 1);
    const junit = readFileSync(join(folder, "junit.xml"), "utf8");
    assert.match(junit, /<testsuite name="avsync bench gate" tests="3" failures="2"/);
    assert.match(junit, /<testcase classname="avsync\.bench\.preset" name="itu-detect: offset\.content within -125…\+45 ms" time="0">\s*<failure type="gate" message="[^"]*worst marker \+60\.\d ms is 15\.\d ms above \+45 ms/);
    assert.match(junit, /name="offset\.content\.p95 &lt; 45"/);
    const md = readFileSync(join(folder, "summary.md"), "utf8");
    assert.match(md, /\*\*❌ FAIL\*\* — gate: 1 of 3 checks passed/);
    assert.match(md, /\| itu-detect: offset\.content within -125…\+45 ms \| ❌ \*\*FAIL\*\* \| .*15\.\d ms above \+45 ms/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("summary.md is also appended to $GITHUB_STEP_SUMMARY", async () => {
  const folder = mkdtempSync(join(tmpdir(), "avsync-render-"));
  const previous = process.env.GITHUB_STEP_SUMMARY;
  process.env.GITHUB_STEP_SUMMARY = join(folder, "step-summary.md");
  try {
    await renderRunReports(folder, syntheticBenchResult({ durationS: 5 }), null);
    assert.equal(readFileSync(join(folder, "step-summary.md"), "utf8"), `${readFileSync(join(folder, "summary.md"), "utf8")}\n`);
  } finally {
    if (previous === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = previous;
    rmSync(folder, { recursive: true, force: true });
  }
});

test("strings from a target are escaped in the HTML, the Markdown and the JUnit XML", async () => {
  const folder = mkdtempSync(join(tmpdir(), "avsync-render-"));
  try {
    const result = syntheticBenchResult({ durationS: 5, hostile });
    const finished = await renderRunReports(folder, result, parseGateSpec({ gate: ["itu-detect"] }, "bench", null));
    assert.equal(finished.exitCode, 2, "an incomplete run exits 2 whatever its gate says");
    const html = readFileSync(join(folder, "report.html"), "utf8");
    assert.ok(!html.includes("<script>window.__pwned"), "no injected script element");
    assert.ok(!html.includes("<img src=x"), "no injected element");
    assert.match(html, /&lt;\/script&gt;&lt;script&gt;window\.__pwned=1&lt;\/script&gt;/);
    const md = readFileSync(join(folder, "summary.md"), "utf8");
    const tableLines = md.split("\n").filter((l) => l.startsWith("|"));
    for (const line of tableLines) assert.ok(!/[^\\]\|\s*broken\s*\|/.test(line), `table broken by: ${line}`);
    assert.ok(!md.includes("<script>") && !md.includes("<img"), "no raw HTML in the Markdown");
    assert.match(md, /&lt;\/script&gt;/);
    assert.ok(!md.includes("[link](http://x)"), "no live link");
    const junit = readFileSync(join(folder, "junit.xml"), "utf8");
    assert.ok(!junit.includes("<script>"));
    assert.ok(existsSync(join(folder, "offset-over-time.png")));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("a multi-session run shows its sessions table, the worst session, the anomalies with evidence and a per-session chart, escaped", async () => {
  const folder = mkdtempSync(join(tmpdir(), "avsync-render-"));
  try {
    const result = syntheticBenchResult({ durationS: 5, sessions: 4, contentOffsetMs: 10.5, hostile });
    assert.equal(result.aggregate!.worstSession!.index, 3);
    const ids = chartSpecsFor(result).map((c) => c.id);
    assert.ok(ids.includes("session-offsets"), ids.join(", "));
    await renderRunReports(folder, result, null);
    assert.ok(existsSync(join(folder, "session-offsets.png")));

    const html = readFileSync(join(folder, "report.html"), "utf8");
    assert.match(html, /<h2>Sessions<\/h2><table>.*<th>offset p50, sender clock<\/th>/s);
    assert.match(html, /<tr><td>#0<\/td><td>session-0<\/td><td class="num">300 ms<\/td><td class="num">\+10\.\d ms<\/td>.*?<td class="num">2<\/td>/);
    assert.match(html, /<tr class="worst"><td>#3<\/td><td>&lt;\/script&gt;&lt;script&gt;window\.__pwned=1/);
    assert.match(html, /worst session: \+13\.\d ms \(content, sender clock\)/);
    assert.match(html, /4 of 4 sessions measured.*session medians \(content, sender clock\): p50 \+1[12]\.\d ms, min \+10\.\d ms, max \+13\.\d ms/);
    assert.match(html, /<h2>Anomalies<\/h2>.*<code>excess-buffering<\/code>.*queueingP50Ms 12\.34 · queueingP95Ms 131\.5/s);
    assert.match(html, /skewMs 61\.25 · note &lt;\/script&gt;&lt;script&gt;window\.__pwned=1&lt;\/script&gt;&lt;img src=x onerror=&quot;window\.__pwned=1&quot;&gt;/);
    assert.ok(!html.includes("<script>window.__pwned") && !html.includes("<img src=x"), "no injected element");

    const md = readFileSync(join(folder, "summary.md"), "utf8");
    assert.match(md, /\*\*Sessions\*\* — 4 of 4 sessions measured/);
    assert.match(md, /\| session \| session id \| join time \| offset p50, sender clock \| offset p95, sender clock \| lost packets \| anomalies \| note \|/);
    assert.match(md, /\| #0 \| session-0 \| 300 ms \| \+10\.\d ms \| \+10\.\d ms \| 0 audio · 0 video \| 2 \| {2}\|/);
    assert.match(md, /\| \*\*#3\*\* 🔴 \| &lt;\/script&gt;.*\| worst session: \+13\.\d ms \(content, sender clock\) \|$/m);
    assert.match(md, /- \*\*excess-buffering\*\* \(video\): .* — evidence: queueingP50Ms 12\.34 · queueingP95Ms 131\.5/);
    assert.match(md, /evidence: skewMs 61\.25 · note &lt;\/script&gt;/);
    for (const line of md.split("\n").filter((l) => l.startsWith("|"))) assert.ok(!/[^\\]\|\s*broken\s*\|/.test(line), `table broken by: ${line}`);
    assert.ok(!md.includes("<script>") && !md.includes("<img"), "no raw HTML in the Markdown");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("a single-session run shows no sessions table and no anomalies section", async () => {
  const folder = mkdtempSync(join(tmpdir(), "avsync-render-"));
  try {
    await renderRunReports(folder, syntheticBenchResult({ durationS: 3 }), null);
    assert.doesNotMatch(readFileSync(join(folder, "report.html"), "utf8"), /<h2>(Sessions|Anomalies)<\/h2>/);
    assert.doesNotMatch(readFileSync(join(folder, "summary.md"), "utf8"), /\*\*(Sessions|Anomalies)\*\*/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("finishRun ends every kind the same way: result.json first, then its reports, and the terminal text", async () => {
  const folder = mkdtempSync(join(tmpdir(), "avsync-finish-"));
  try {
    const result = syntheticBenchResult({ durationS: 5 });
    const finished = await finishRun(result, { folder, interrupted: true });
    assert.equal(finished.files[0], join(folder, "result.json"));
    assert.deepEqual(JSON.parse(readFileSync(join(folder, "result.json"), "utf8")), JSON.parse(JSON.stringify(result)));
    assert.ok(existsSync(join(folder, "report.html")) && existsSync(join(folder, "summary.md")));
    assert.equal(readdirSync(folder).filter((name) => name.endsWith(".png")).length, 0, "an interrupted run skips the PNGs");
    assert.equal(finished.exitCode, 130);
    assert.match(finished.terminal, new RegExp(`Report: ${folder}/report\\.html`));

    const doctor = { schema: "avsync/doctor-report", schemaVersion: 1, meta: result.meta, host: { kernel: "6.1.0", root: true, unreadable: [] }, findings: [] } as unknown as DoctorReport;
    const printed = await finishRun(doctor, { folder: null });
    assert.deepEqual(printed.files, []);
    assert.equal(printed.terminal, formatDoctorReport(doctor));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
