import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { GateReport, MetricDelta } from "../gate/index.js";
import type { ChartSpec } from "./chart-specs.js";
import { escapeHtml as h, inlineJson } from "./escape.js";
import { anomaliesOf, cardsOf, defaultVerdictOf, eventsOf, formatFigure, headlineOf, metadataOf, sessionsOf } from "./report-facts.js";
import type { RenderedRun, ReportInput, ReportOutput } from "./report-output.js";

const require = createRequire(import.meta.url);

let chartJsSource: string | undefined;

// Chart.js comes from node_modules, inlined, so the report opens offline and asks no CDN;
// a literal `</script` inside it would end the inline script early.
function chartJs(): string {
  chartJsSource ??= readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8").replace(/<\/script/gi, "<\\/script");
  return chartJsSource;
}

const css = `
:root { --ok:#15803d; --ok-bg:#f0fdf4; --bad:#b91c1c; --bad-bg:#fef2f2; --warn:#b45309; --warn-bg:#fffbeb; --info:#334155; --line:#e2e8f0; --muted:#64748b; --ink:#0f172a; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #f8fafc; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 40px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 16px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub { color: var(--muted); margin: 0 0 16px; overflow-wrap: anywhere; }
.verdict { display: flex; gap: 16px; align-items: flex-start; border-radius: 8px; padding: 14px 18px; margin: 8px 0 18px; border: 1px solid; }
.verdict.pass { background: var(--ok-bg); border-color: #bbf7d0; }
.verdict.fail { background: var(--bad-bg); border-color: #fecaca; }
.verdict.none { background: #f1f5f9; border-color: var(--line); }
.badge { font-weight: 700; font-size: 18px; letter-spacing: .04em; padding: 4px 12px; border-radius: 6px; color: #fff; white-space: nowrap; }
.pass .badge { background: var(--ok); } .fail .badge { background: var(--bad); } .none .badge { background: var(--muted); }
.verdict ul { margin: 0; padding-left: 18px; } .verdict p { margin: 4px 0; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-left: 4px solid var(--info); border-radius: 6px; padding: 10px 14px; min-width: 0; }
.card.ok { border-left-color: var(--ok); } .card.bad { border-left-color: var(--bad); } .card.warn { border-left-color: var(--warn); }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 22px; font-weight: 600; margin: 2px 0; overflow-wrap: anywhere; }
.card .detail { color: #334155; font-size: 12.5px; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; break-inside: avoid; min-width: 0; }
.chart.wide { grid-column: 1 / -1; }
.chart h3 { font-size: 14px; margin: 0 0 6px; }
.chart .canvas { position: relative; height: 300px; }
.chart.wide .canvas { height: 360px; }
.chart p { color: var(--muted); font-size: 12.5px; margin: 6px 0 0; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; margin-bottom: 14px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); table-layout: auto; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { background: #f1f5f9; font-weight: 600; font-size: 12.5px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.st { font-weight: 600; white-space: nowrap; } .st.ok, .st.better { color: var(--ok); } .st.bad, .st.regressed { color: var(--bad); } .st.worse { color: var(--warn); } .st.same, .st.nodata { color: var(--muted); }
tr.worst td { background: var(--bad-bg); font-weight: 600; }
.aggregate { margin: 8px 0 0; color: #334155; overflow-wrap: anywhere; }
.meta td:first-child { width: 150px; color: var(--muted); white-space: nowrap; }
.meta code { font-size: 12px; }
footer { color: var(--muted); font-size: 12px; margin-top: 28px; }
@media (max-width: 900px) { .charts, .pair { grid-template-columns: 1fr; } }
@media print {
  body { background: #fff; font-size: 11px; } main { max-width: none; padding: 0; }
  .charts, .pair { grid-template-columns: 1fr 1fr; }
  .chart .canvas { height: 230px; } .chart.wide .canvas { height: 260px; }
  h2 { break-after: avoid; } .card, tr { break-inside: avoid; }
}
`;

// Draws every chart from the inlined specs; re-sizes them for print, where the page is narrower.
const bootScript = `
(function () {
  var specs = JSON.parse(document.getElementById("avsync-charts").textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#1f2937";
  var charts = specs.map(function (s) { return new Chart(document.getElementById(s.canvasId), s.config); });
  function resize() { charts.forEach(function (c) { c.resize(); }); }
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  document.documentElement.setAttribute("data-charts-drawn", String(charts.length));
})();
`;

function page(title: string, body: string, charts: Array<{ canvasId: string; config: unknown }>): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${h(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="avsync-charts">${inlineJson(charts)}</script>
<script>${chartJs()}</script>
<script>${bootScript}</script>
</body>
</html>
`;
}

function verdictBlock(gate: GateReport | null, run: RenderedRun): string {
  if (gate) {
    const failed = gate.checks.filter((c) => !c.pass);
    const lines = (failed.length ? failed : gate.checks).map((c) => `<li>${h(c.message)}</li>`).join("");
    return `<section class="verdict ${gate.pass ? "pass" : "fail"}"><span class="badge">${gate.pass ? "PASS" : "FAIL"}</span><div><p><strong>Gate: ${
      gate.checks.length - failed.length
    } of ${gate.checks.length} checks passed.</strong>${failed.length ? " Failed:" : ""}</p><ul>${lines}</ul></div></section>`;
  }
  const v = defaultVerdictOf(run.result);
  const cls = v.pass === null ? "none" : v.pass ? "pass" : "fail";
  return `<section class="verdict ${cls}"><span class="badge">${v.pass === null ? "N/A" : v.pass ? "PASS" : "FAIL"}</span><div><p>${h(v.text)}</p><p>No gate was asked for; the exit code reflects only whether the run completed.</p></div></section>`;
}

function cardsBlock(run: RenderedRun): string {
  return `<section class="cards">${cardsOf(run.result)
    .map((c) => `<div class="card ${c.status}"><div class="label">${h(c.label)}</div><div class="value">${h(c.value)}</div><div class="detail">${h(c.detail)}</div></div>`)
    .join("")}</section>`;
}

const wideCharts = new Set(["offset-over-time", "time-wait"]);

function chartBlock(spec: ChartSpec, canvasId: string, forceNarrow = false): string {
  return `<figure class="chart${wideCharts.has(spec.id) && !forceNarrow ? " wide" : ""}" style="margin:0"><h3>${h(spec.title)}</h3><div class="canvas"><canvas id="${h(canvasId)}" role="img" aria-label="${h(spec.title)}"></canvas></div><p>${h(spec.caption)}</p></figure>`;
}

function eventsBlock(run: RenderedRun): string {
  if (run.result.schema !== "avsync/bench-result") return "";
  const rows = eventsOf(run.result);
  const body = rows.length
    ? rows.map((r) => `<tr><td>${h(r.stream)}</td><td>${h(r.event)}</td><td>${h(r.at)}</td><td>${h(r.detail)}</td></tr>`).join("")
    : `<tr><td colspan="4">No discontinuities, backward jumps, missing frames, lost, duplicated or reordered packets, arrival gaps or unpaired markers.</td></tr>`;
  return `<h2>Continuity events</h2><table><thead><tr><th>stream</th><th>event</th><th>at</th><th>detail</th></tr></thead><tbody>${body}</tbody></table>`;
}

function sessionsBlock(run: RenderedRun): string {
  const sessions = sessionsOf(run.result);
  if (!sessions) return "";
  const rows = sessions.rows
    .map(
      (r) =>
        `<tr${r.worst ? ' class="worst"' : ""}><td>${h(r.session)}</td><td>${h(r.sessionId)}</td><td class="num">${h(r.joinTime)}</td><td class="num">${h(r.senderP50)}</td><td class="num">${h(
          r.senderP95,
        )}</td><td>${h(r.lostPackets)}</td><td class="num">${r.anomalies}</td><td>${h(r.note)}</td></tr>`,
    )
    .join("");
  return `<h2>Sessions</h2><table><thead><tr><th>session</th><th>session id</th><th>join time</th><th>offset p50, sender clock</th><th>offset p95, sender clock</th><th>lost packets</th><th>anomalies</th><th>note</th></tr></thead><tbody>${rows}</tbody></table><p class="aggregate">${h(sessions.aggregate)}</p>`;
}

function anomaliesBlock(run: RenderedRun): string {
  const rows = anomaliesOf(run.result);
  if (!rows.length) return "";
  const scope = sessionsOf(run.result) ? "<p class=\"aggregate\">Named for the first measured session, which the probe keeps in full; the sessions table counts every session's.</p>" : "";
  return `<h2>Anomalies</h2><table><thead><tr><th>anomaly</th><th>stream</th><th>what</th><th>evidence</th></tr></thead><tbody>${rows
    .map((r) => `<tr><td><code>${h(r.name)}</code></td><td>${h(r.stream)}</td><td>${h(r.message)}</td><td>${h(r.evidence)}</td></tr>`)
    .join("")}</tbody></table>${scope}`;
}

function gateTable(gate: GateReport | null): string {
  if (!gate) return "";
  return `<h2>Gate checks</h2><table><thead><tr><th>check</th><th>result</th><th>detail</th></tr></thead><tbody>${gate.checks
    .map((c) => `<tr><td>${h(c.name)}</td><td class="st ${c.pass ? "ok" : "bad"}">${c.pass ? "pass" : "FAIL"}</td><td>${h(c.message)}</td></tr>`)
    .join("")}</tbody></table>`;
}

function metadataTable(run: RenderedRun): string {
  return `<table class="meta"><tbody>${metadataOf(run.result)
    .map(([k, v]) => `<tr><td>${h(k)}</td><td>${k === "flags" ? `<code>${h(v)}</code>` : h(v)}</td></tr>`)
    .join("")}</tbody></table>`;
}

function subtitle(run: RenderedRun): string {
  const m = run.result.meta;
  return `${m.startedAt} · ${m.durationS === null ? "" : `${m.durationS.toFixed(1)} s · `}${m.hostname} · ${run.label}`;
}

function runPage(run: RenderedRun, gate: GateReport | null): string {
  const title = headlineOf(run.result);
  const charts = run.charts.map((spec) => ({ canvasId: `chart-${spec.id}`, config: spec.config }));
  const body = [
    `<h1>${h(title)}</h1><p class="sub">${h(subtitle(run))}</p>`,
    verdictBlock(gate, run),
    cardsBlock(run),
    `<h2>Charts</h2><section class="charts">${run.charts.map((spec) => chartBlock(spec, `chart-${spec.id}`)).join("")}</section>`,
    sessionsBlock(run),
    anomaliesBlock(run),
    eventsBlock(run),
    gateTable(gate),
    `<h2>Run</h2>${metadataTable(run)}`,
    `<footer>Offsets are t(video) − t(audio): positive means audio leads (ITU-R BT.1359). Rendered by avsync from result.json; every chart can be redrawn with <code>avsync report</code>.</footer>`,
  ].join("\n");
  return page(title, body, charts);
}


function deltaTable(deltas: MetricDelta[]): string {
  return `<table><thead><tr><th>metric</th><th>base</th><th>head</th><th>Δ head − base</th><th>allowed worse by</th><th>status</th></tr></thead><tbody>${deltas
    .map(
      (d) =>
        `<tr><td><code>${h(d.name)}</code></td><td class="num">${h(formatFigure(d.base, d.unit))}</td><td class="num">${h(formatFigure(d.head, d.unit))}</td><td class="num">${h(
          formatFigure(d.delta, d.unit, true),
        )}</td><td class="num">${h(formatFigure(d.allowance, d.unit))}</td><td class="st ${d.status.replace(" ", "")}">${d.status === "regressed" ? "▲ REGRESSED" : h(d.status)}</td></tr>`,
    )
    .join("")}</tbody></table>`;
}

function comparePage(input: Extract<ReportInput, { kind: "compare" }>): string {
  const { base, head, deltas, gate } = input;
  const title = `${headlineOf(head.result).replace(/^avsync /, "avsync compare: ")}`;
  const regressions = deltas.filter((d) => d.status === "regressed");
  const verdict = gate
    ? verdictBlock(gate, head)
    : `<section class="verdict ${regressions.length ? "fail" : "pass"}"><span class="badge">${regressions.length ? "REGRESSED" : "NO REGRESSION"}</span><div><p>${
        regressions.length
          ? `${regressions.length} of ${deltas.length} headline figures got worse than --max-regression ${input.maxRegressionPct}% (and their noise floor) allow:`
          : `None of ${deltas.length} headline figures got worse than --max-regression ${input.maxRegressionPct}% and their noise floor allow.`
      }</p>${regressions.length ? `<ul>${regressions.map((d) => `<li><code>${h(d.name)}</code> ${h(formatFigure(d.base, d.unit))} → ${h(formatFigure(d.head, d.unit))}</li>`).join("")}</ul>` : ""}</div></section>`;
  const charts = [
    ...base.charts.map((spec) => ({ canvasId: `base-${spec.id}`, config: spec.config })),
    ...head.charts.map((spec) => ({ canvasId: `head-${spec.id}`, config: spec.config })),
  ];
  const pairs = head.charts
    .map((spec) => {
      const baseSpec = base.charts.find((b) => b.id === spec.id);
      const left = baseSpec ? chartBlock({ ...baseSpec, title: `base — ${baseSpec.title}` }, `base-${spec.id}`, true) : `<div class="chart"><p>No ${h(spec.title)} in the base run.</p></div>`;
      return `<section class="pair">${left}${chartBlock({ ...spec, title: `head — ${spec.title}` }, `head-${spec.id}`, true)}</section>`;
    })
    .join("");
  const body = [
    `<h1>${h(title)}</h1><p class="sub">base: ${h(subtitle(base))}<br>head: ${h(subtitle(head))}</p>`,
    verdict,
    `<h2>Headline figures, base → head</h2>${deltaTable(deltas)}`,
    gateTable(gate),
    `<h2>Summary</h2><section class="pair"><div><h3>base</h3>${cardsBlock(base)}</div><div><h3>head</h3>${cardsBlock(head)}</div></section>`,
    `<h2>Charts, base (left) and head (right)</h2>${pairs}`,
    `<h2>Runs</h2><section class="pair"><div><h3>base</h3>${metadataTable(base)}</div><div><h3>head</h3>${metadataTable(head)}</div></section>`,
    `<footer>Offsets are t(video) − t(audio): positive means audio leads. A change is a regression only when it is worse than both --max-regression and the metric's noise floor (docs/metrics.md).</footer>`,
  ].join("\n");
  return page(title, body, charts);
}

/** report.html: one self-contained page (Chart.js and data inlined) that opens offline and prints. */
export const htmlOutput: ReportOutput = {
  name: "html",
  async write(input, folder) {
    const path = join(folder, "report.html");
    writeFileSync(path, input.kind === "run" ? runPage(input.run, input.gate) : comparePage(input));
    return [path];
  },
};
