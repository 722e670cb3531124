import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChartConfiguration } from "chart.js";
import type { ChartJSNodeCanvas } from "chartjs-node-canvas";
import type { ChartSpec } from "./chart-specs.js";
import type { ReportOutput } from "./report-output.js";

const widthPx = 1200;
const heightPx = 520;
let canvas: ChartJSNodeCanvas | undefined;

// A PNG travels alone (into a chat, a ticket), so it carries its own title; the spec is otherwise the HTML's.
function standalone(spec: ChartSpec): ChartConfiguration {
  const config = structuredClone(spec.config);
  const options = (config.options ??= {}) as Record<string, unknown> & { plugins?: Record<string, unknown> };
  options.responsive = false;
  options.plugins = { ...options.plugins, title: { display: true, text: spec.title, font: { size: 16, weight: "bold" }, padding: { bottom: 8 } } };
  return config;
}

/** One PNG per chart of a run (`<chart id>.png`), drawn server-side from the same specs as report.html. */
export const pngOutput: ReportOutput = {
  name: "png",
  async write(input, folder) {
    if (input.kind !== "run") return [];
    // Loaded on first use: the native canvas is the heaviest thing a command can import, and only PNGs need it.
    if (canvas === undefined) {
      const { ChartJSNodeCanvas } = await import("chartjs-node-canvas");
      canvas = new ChartJSNodeCanvas({ width: widthPx, height: heightPx, backgroundColour: "white" });
    }
    const written: string[] = [];
    for (const spec of input.run.charts) {
      const path = join(folder, `${spec.id}.png`);
      writeFileSync(path, canvas.renderToBufferSync(standalone(spec), "image/png"));
      written.push(path);
    }
    return written;
  },
};
