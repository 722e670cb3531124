import { Flags } from "@oclif/core";
import { gatePresets } from "../analysis/index.js";

// The gate's flags, shared by `bench`, `tw-storm` and `report` so a threshold reads the same everywhere.
export const gateFlags = {
  gate: Flags.string({
    multiple: true,
    options: Object.keys(gatePresets),
    description: `Fail (exit 1) unless every marker's content offset lies in a published lip-sync window: ${Object.entries(gatePresets)
      .map(([name, w]) => `${name} ${w.lowMs}…+${w.highMs} ms`)
      .join(", ")}. Repeatable.`,
  }),
  threshold: Flags.string({
    multiple: true,
    description: "Fail (exit 1) unless this expression over a metric holds, e.g. `offset.content.p95 < 45` or `continuity.video.discontinuities == 0` (names in docs/metrics.md). Repeatable.",
  }),
  baseline: Flags.string({
    description: "A baseline result.json (or its run folder): fail (exit 1) when a headline figure is worse than the baseline's by more than --max-regression.",
  }),
  "max-regression": Flags.string({
    description: "How much worse than the baseline a headline figure may get, as a percentage of the baseline (default 10%); changes within the metric's noise floor never count.",
  }),
};

/** Maps the parsed gate flags to the report room's gate options. */
export function gateOptionsFromFlags(flags: { gate?: string[]; threshold?: string[]; baseline?: string; "max-regression"?: string }) {
  return { gate: flags.gate, threshold: flags.threshold, baseline: flags.baseline, maxRegression: flags["max-regression"] };
}
