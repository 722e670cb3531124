import type { EventEmitter } from "node:events";
import { collectRunMetadata } from "../run/index.js";
import { runTwStorm, type TwStormOptions } from "../storm/index.js";
import { cellSysctls, expandMatrix, type MatrixAxis } from "./matrix-axes.js";
import { summariseMatrixCell } from "./matrix-cell.js";
import { judgeMatrix } from "./matrix-verdicts.js";
import { probePortReuse } from "./reuse-probe.js";
import type { SysctlMatrixResult } from "./sysctl-matrix-result.js";

/** What a matrix reports while it runs. */
export type SysctlMatrixEvents = {
  cell: [label: string, state: "start" | "done" | "failed"];
};

// The sysctls that decide whether connect() may take a port still in TIME_WAIT; only these need the reuse probe.
const reuseKeys = ["net.ipv4.tcp_tw_reuse", "net.ipv4.tcp_tw_reuse_delay", "net.ipv4.tcp_timestamps"];

async function runWithLimit<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<Array<PromiseSettledResult<T>>> {
  const results: Array<PromiseSettledResult<T>> = new Array(tasks.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!().then(
        (value) => ({ status: "fulfilled", value }) as const,
        (reason: unknown) => ({ status: "rejected", reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  return results;
}

// Cells are independent (each in its own namespace pair, sysctls set inside it), so they may run at once; the
// TIME_WAIT drain then costs one minute for the whole matrix instead of one per cell.
/** Runs the same storm once per cell, each in fresh namespaces with the cell's sysctls, plus a port-reuse probe, and judges them. */
export async function runSysctlMatrix(
  options: TwStormOptions,
  axes: MatrixAxis[],
  parallelCells: number,
  events?: EventEmitter<SysctlMatrixEvents>,
): Promise<SysctlMatrixResult> {
  const meta = collectRunMetadata("tw-storm --matrix", options.flags ?? {});
  const startedPerf = performance.now();
  const specs = expandMatrix(axes, options.sysctls);
  const probeReuse = axes.some((axis) => reuseKeys.includes(axis.key));
  const settled = await runWithLimit(
    specs.map((spec) => async () => {
      events?.emit("cell", spec.label, "start");
      const sysctls = cellSysctls(spec, options.sysctls);
      const [storm, portReuse] = await Promise.all([runTwStorm({ ...options, topology: "netns", sysctls }), probeReuse ? probePortReuse(sysctls) : null]);
      events?.emit("cell", spec.label, "done");
      return { storm, summary: summariseMatrixCell(spec, storm, portReuse) };
    }),
    parallelCells,
  );
  const cells = specs.map((spec, index) => {
    const outcome = settled[index]!;
    if (outcome.status === "fulfilled") return { ...spec, summary: outcome.value.summary, error: null, storm: outcome.value.storm };
    events?.emit("cell", spec.label, "failed");
    return { ...spec, summary: null, error: (outcome.reason as Error).message, storm: null };
  });
  const summaries = cells.flatMap((cell) => (cell.summary ? [cell.summary] : []));
  const warnings = [...new Set(cells.flatMap((cell) => cell.storm?.warnings ?? []))];
  for (const cell of cells) if (cell.error) warnings.push(`Cell ${cell.label} failed: ${cell.error}`);
  if (parallelCells > 1 && specs.length > 1) {
    warnings.push(`${Math.min(parallelCells, specs.length)} cells ran at once and shared the CPUs: compare latencies between cells, not with a storm run alone.`);
  }
  return {
    schema: "avsync/tw-storm-matrix-result",
    schemaVersion: 1,
    complete: cells.every((cell) => cell.storm?.complete === true),
    meta: { ...meta, durationS: (performance.now() - startedPerf) / 1000 },
    axes,
    fixedSysctls: options.sysctls,
    parallelCells,
    verdicts: judgeMatrix(axes, summaries),
    cells,
    warnings,
  };
}
