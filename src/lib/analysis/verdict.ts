import type { Summary } from "./stats.js";

// An allowed offset range, bounds inclusive.
export interface GateWindow {
  lowMs: number;
  highMs: number;
  source: string;
}

// The published lip-sync windows (DESIGN.md §3); offsets use the same sign (positive = audio leads).
export const gatePresets = {
  "itu-detect": { lowMs: -125, highMs: 45, source: "ITU-R BT.1359 detectability threshold" },
  "itu-accept": { lowMs: -185, highMs: 90, source: "ITU-R BT.1359 acceptability threshold" },
  "ebu-r37": { lowMs: -60, highMs: 40, source: "EBU R37" },
  "atsc-is191": { lowMs: -45, highMs: 15, source: "ATSC IS-191" },
} as const satisfies Record<string, GateWindow>;

// The names a gate threshold can use.
export type GatePreset = keyof typeof gatePresets;

// A preset's verdict, with the window it used so the report can draw it.
export interface OffsetJudgement {
  preset: GatePreset;
  lowMs: number;
  highMs: number;
  /** null when there were no offsets to judge. */
  pass: boolean | null;
  /** The extreme offset (min or max) closest to, or furthest past, its bound. */
  worstMs: number | null;
}

// A run passes a preset only if every marker's offset lies inside the window, so the verdict
// reads the series' min and max rather than a mean that could hide a bad stretch.
export function judgeOffset(summary: Summary, preset: GatePreset): OffsetJudgement {
  const window: GateWindow | undefined = gatePresets[preset];
  if (!window) {
    throw new RangeError(`Expected a gate preset (${Object.keys(gatePresets).join(", ")}), got \`${preset}\`.`);
  }
  const { lowMs, highMs } = window;
  if (summary.min === null || summary.max === null) return { preset, lowMs, highMs, pass: null, worstMs: null };
  const lowMarginMs = summary.min - lowMs;
  const highMarginMs = highMs - summary.max;
  return {
    preset,
    lowMs,
    highMs,
    pass: lowMarginMs >= 0 && highMarginMs >= 0,
    worstMs: lowMarginMs < highMarginMs ? summary.min : summary.max,
  };
}
