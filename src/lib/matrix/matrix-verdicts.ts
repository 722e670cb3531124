import { findSysctlFact } from "../sysctl/index.js";
import type { MatrixAxis } from "./matrix-axes.js";
import type { MatrixCellSummary } from "./matrix-cell.js";

/** One compared number across the cells of a verdict. */
export interface VerdictMeasure {
  metric: string;
  changed: boolean;
  values: Array<{ setting: string; measured: number | null }>;
  sentence: string;
}

/** What one sysctl changed and did not, among cells that differ only in it. */
export interface SysctlVerdict {
  key: string;
  heldFixed: Record<string, string>;
  headline: string;
  changed: VerdictMeasure[];
  unchanged: VerdictMeasure[];
  fact: string;
  docsUrl: string;
}

interface Metric {
  name: string;
  value(cell: MatrixCellSummary): number | null;
  format(value: number | null): string;
  // False when the cells did not measure it at all (the port-reuse probe runs only for reuse-related axes).
  measured?(cell: MatrixCellSummary): boolean;
  // True when the spread across cells is more than this measurement's noise.
  differs(values: Array<number | null>, cell: MatrixCellSummary): boolean;
}

const count = (value: number | null): string => (value === null ? "n/a" : Math.round(value).toLocaleString("en-US"));
const spread = (values: Array<number | null>): number => {
  const present = values.filter((value): value is number => value !== null);
  return present.length ? Math.max(...present) - Math.min(...present) : 0;
};
const countDiffers = (values: Array<number | null>, cell: MatrixCellSummary): boolean => spread(values) > Math.max(10, 0.02 * cell.cycles.started);

// Thresholds are the noise measured here: lifetimes ±1 s (10 Hz sockstat, 1 s ss timers), counts ±1–2 %, latency ×3.
const lifetime: Metric = {
  name: "TIME_WAIT lifetime",
  // The ss timers are the kernel's own clock; the drain ends 0–2 s later because the timer wheel batches 60 s timers.
  value: (cell) => cell.lifetimeS.fromTimers ?? cell.lifetimeS.fromDrain,
  format: (value) => (value === null ? "not measured" : `${value.toFixed(1)} s`),
  differs: (values) => spread(values) > 2,
};

const metrics: Metric[] = [
  { name: "peak TIME_WAIT", value: (cell) => cell.timeWaitPeak.total, format: count, differs: countDiffers },
  { name: "EADDRNOTAVAIL", value: (cell) => cell.eaddrnotavail, format: count, differs: countDiffers },
  {
    name: "a TIME_WAIT port reused after",
    value: (cell) => cell.portReuse?.reusedAfterMs ?? null,
    measured: (cell) => cell.portReuse !== null,
    format: (value) => (value === null ? "never (within the probe's 10 s)" : `${Math.round(value)} ms`),
    differs: (values) => {
      if (values.some((value) => value === null) && values.some((value) => value !== null)) return true;
      const present = values.filter((value): value is number => value !== null);
      return present.length > 1 && spread(present) > 50 && Math.max(...present) > 2 * Math.min(...present);
    },
  },
  { name: "TWRecycled", value: (cell) => cell.counters.TWRecycled, format: count, differs: countDiffers },
  { name: "TCPTimeWaitOverflow", value: (cell) => cell.counters.TCPTimeWaitOverflow, format: count, differs: countDiffers },
  {
    name: "connect p99",
    value: (cell) => (cell.connectUs.count ? cell.connectUs.p99 : null),
    format: (value) => (value === null ? "n/a" : `${(value / 1000).toFixed(2)} ms`),
    differs: (values) => {
      const present = values.filter((value): value is number => value !== null);
      return present.length > 1 && spread(present) > 1000 && Math.max(...present) > 3 * Math.min(...present);
    },
  },
];

function listValues(metric: Metric, cells: MatrixCellSummary[], key: string): string {
  const short = key.split(".").at(-1)!;
  const parts = cells.map((cell, index) => `${metric.format(metric.value(cell))} at ${index === 0 ? `${short}=` : ""}${cell.settings[key]}`);
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : parts[0]!;
}

function measure(metric: Metric, cells: MatrixCellSummary[], key: string): VerdictMeasure {
  const values = cells.map((cell) => metric.value(cell));
  const changed = metric.differs(values, cells[0]!);
  return {
    metric: metric.name,
    changed,
    values: cells.map((cell, index) => ({ setting: cell.settings[key]!, measured: values[index]! })),
    sentence: `${metric.name} ${listValues(metric, cells, key)}`,
  };
}

/** Compares, for each axis, the cells that differ only in it, and says in words what changed and what did not. */
export function judgeMatrix(axes: MatrixAxis[], cells: MatrixCellSummary[]): SysctlVerdict[] {
  return axes.flatMap((axis) => {
    const others = axes.filter((other) => other.key !== axis.key).map((other) => other.key);
    const groups = new Map<string, MatrixCellSummary[]>();
    for (const cell of cells) {
      const groupKey = JSON.stringify(others.map((key) => cell.settings[key]));
      groups.set(groupKey, [...(groups.get(groupKey) ?? []), cell]);
    }
    const fact = findSysctlFact(axis.key)!;
    return [...groups.values()].filter((group) => group.length > 1).map((group): SysctlVerdict => {
      const life = measure(lifetime, group, axis.key);
      const headline = life.values.every((value) => value.measured === null)
        ? `${life.sentence}: TIME_WAIT lifetime not measured (run with --drain ≥ 65)`
        : life.changed
          ? `${life.sentence}: changes how long TIME_WAIT lasts`
          : `${life.sentence}: no effect on TIME_WAIT`;
      const measures = [life, ...metrics.filter((metric) => group.every((cell) => metric.measured?.(cell) ?? true)).map((metric) => measure(metric, group, axis.key))];
      return {
        key: axis.key,
        heldFixed: Object.fromEntries(others.map((key) => [key, group[0]!.settings[key]!])),
        headline,
        changed: measures.filter((entry) => entry.changed),
        unchanged: measures.filter((entry) => !entry.changed),
        fact: fact.fact,
        docsUrl: fact.docsUrl,
      };
    });
  });
}
