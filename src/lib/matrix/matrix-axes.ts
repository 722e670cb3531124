import { release } from "node:os";
import { parseSysctlAssignment, type SysctlAssignment } from "../netns/index.js";
import { findSysctlFact, kernelHasSysctl, sysctlCatalog } from "../sysctl/index.js";

/** One `--matrix key=v1,v2` flag: a sysctl and the values the cells take. */
export interface MatrixAxis {
  key: string;
  values: string[];
}

/** One cell: the value of every axis, applied on both sides of a fresh namespace pair. */
export interface MatrixCellSpec {
  label: string;
  settings: Record<string, string>;
}

// A matrix multiplies: past this many cells, the storm and its drain cost more than anyone reads.
export const maxMatrixCells = 16;

/** Parses and validates one `--matrix` value against the catalogue and the running kernel, quoting bad input back. */
export function parseMatrixAxis(input: string): MatrixAxis {
  const match = /^([a-z0-9_./]+)=(.+)$/.exec(input.trim());
  if (!match) throw new Error(`Expected \`--matrix\` to look like \`net.ipv4.tcp_tw_reuse=0,1,2\`, got \`${input}\`.`);
  const fact = findSysctlFact(match[1]!);
  if (!fact) {
    throw new Error(`Expected \`--matrix\` to vary one of ${sysctlCatalog.map((entry) => entry.key).join(", ")}, got \`${match[1]}\`.`);
  }
  if (!kernelHasSysctl(fact.key)) {
    const since = fact.sinceKernel ? ` (it appeared in Linux ${fact.sinceKernel})` : "";
    throw new Error(`This kernel (${release()}) has no \`${fact.key}\`${since}, so \`--matrix ${input}\` cannot run.`);
  }
  const values = match[2]!.split(",").map((value) => value.trim().replace(/\s+/g, " "));
  for (const value of values) {
    const problem = value === "" ? "a value" : fact.checkValue(value);
    if (problem) throw new Error(`Expected each value of \`--matrix ${fact.key}\` to be ${problem}, got \`${value}\`.`);
    parseSysctlAssignment(`${fact.key}=${value}`);
  }
  if (new Set(values).size !== values.length) throw new Error(`Expected distinct values in \`--matrix ${input}\`.`);
  return { key: fact.key, values };
}

/** Checks the axes together (no key twice, none also fixed by --sysctl, not too many cells) and lists the cells. */
export function expandMatrix(axes: MatrixAxis[], fixed: SysctlAssignment[]): MatrixCellSpec[] {
  const keys = axes.map((axis) => axis.key);
  const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
  if (repeated) throw new Error(`Expected each sysctl once in \`--matrix\`, got \`${repeated}\` twice.`);
  const clash = fixed.find((assignment) => keys.includes(assignment.key));
  if (clash) throw new Error(`\`${clash.key}\` is both fixed by \`--sysctl\` and varied by \`--matrix\`; keep one.`);
  let cells: Array<Record<string, string>> = [{}];
  for (const axis of axes) cells = cells.flatMap((cell) => axis.values.map((value) => ({ ...cell, [axis.key]: value })));
  if (cells.length > maxMatrixCells) throw new Error(`Expected at most ${maxMatrixCells} matrix cells, got ${cells.length}.`);
  return cells.map((settings) => ({ settings, label: Object.entries(settings).map(([key, value]) => `${key.split(".").at(-1)}=${value}`).join(" ") }));
}

/** The sysctls one cell sets: the fixed ones, then the cell's own on both sides. */
export function cellSysctls(cell: MatrixCellSpec, fixed: SysctlAssignment[]): SysctlAssignment[] {
  return [...fixed, ...Object.entries(cell.settings).map(([key, value]) => ({ side: "both" as const, key, value }))];
}
