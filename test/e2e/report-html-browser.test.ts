// test: system, group browser
// report.html in a real browser (Debian's Chromium, headless): it draws every chart offline, asks
// the network for nothing, logs no error, and strings from a target neither run nor break layout.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeResultJson } from "../../src/lib/run/index.js";
import { compareFromFiles, renderRunReports } from "../../src/lib/report/index.js";
import { parseGateSpec } from "../../src/lib/gate/index.js";
import { syntheticBenchResult } from "../lib/report/synthetic-bench-result.js";
import { openReport, paintedPixelsPerCanvas, skipWithoutChromium } from "./report-browser.js";

const folders: string[] = [];
after(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));
const newFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), "avsync-browser-"));
  folders.push(folder);
  return folder;
};

async function checkReport(html: string, expectedCharts: number): Promise<void> {
  const report = await openReport(html);
  try {
    assert.deepEqual(report.consoleErrors, []);
    assert.deepEqual(report.requests, [], "the report must not touch the network");
    const painted = await paintedPixelsPerCanvas(report.page);
    assert.equal(Object.keys(painted).length, expectedCharts);
    for (const [id, pixels] of Object.entries(painted)) assert.ok(pixels > 2000, `${id} drew only ${pixels} pixels`);
    const overflow = await report.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
  } finally {
    await report.close();
  }
}

test("a bench report draws every chart in Chromium with no console errors and no network request", { skip: skipWithoutChromium, timeout: 60_000 }, async () => {
  const folder = newFolder();
  await renderRunReports(folder, syntheticBenchResult({ durationS: 60 }), parseGateSpec({ gate: ["itu-detect"] }, "bench", null));
  await checkReport(join(folder, "report.html"), 5);
});

test("a comparison report draws base and head charts side by side", { skip: skipWithoutChromium, timeout: 60_000 }, async () => {
  const base = newFolder();
  const head = newFolder();
  writeResultJson(base, syntheticBenchResult({ durationS: 30 }));
  writeResultJson(head, syntheticBenchResult({ durationS: 30, contentOffsetMs: 60 }));
  const out = newFolder();
  const summary = await compareFromFiles(base, head, { out });
  assert.ok(summary.deltas!.some((d) => d.status === "regressed"));
  await checkReport(join(out, "report.html"), 10);
});

test("target strings with <script>, quotes and table breakers neither execute nor break the layout", { skip: skipWithoutChromium, timeout: 60_000 }, async () => {
  const hostile = `</script><script>window.__pwned=1;alert(1)</script><img src=x onerror="window.__pwned=2"><svg onload="window.__pwned=3"> "' | ** | </td></tr></table><h1>fake</h1>`;
  const folder = newFolder();
  await renderRunReports(folder, syntheticBenchResult({ durationS: 10, hostile }), parseGateSpec({ gate: ["itu-detect"] }, "bench", null));
  const report = await openReport(join(folder, "report.html"));
  try {
    assert.deepEqual(report.dialogs, []);
    assert.deepEqual(report.requests, [], "the injected <img src=x> must not load");
    const page = await report.page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
      h1: document.querySelectorAll("h1").length,
      tables: document.querySelectorAll("table").length,
      injected: document.querySelectorAll("img, svg").length,
      metaRows: document.querySelectorAll("table.meta tr").length,
      text: document.body.innerText,
      overflow: document.documentElement.scrollWidth - window.innerWidth,
    }));
    assert.equal(page.pwned, null);
    assert.equal(page.h1, 1);
    assert.equal(page.injected, 0);
    assert.equal(page.tables, 3, "events, gate checks and run metadata, nothing more");
    assert.equal(page.metaRows, 12);
    assert.ok(page.text.includes("<script>window.__pwned=1;alert(1)</script>"), "the string shows as text");
    assert.ok(page.overflow <= 0, `the page scrolls sideways by ${page.overflow} px`);
    const painted = await paintedPixelsPerCanvas(report.page);
    for (const [id, pixels] of Object.entries(painted)) assert.ok(pixels > 2000, `${id} drew only ${pixels} pixels`);
    assert.deepEqual(report.consoleErrors, []);
  } finally {
    await report.close();
  }
});
