import type { RunMetadata } from "../run/index.js";
import type { TwStormResult } from "../storm/index.js";
import type { MatrixAxis } from "./matrix-axes.js";
import type { MatrixCellSummary } from "./matrix-cell.js";
import type { SysctlVerdict } from "./matrix-verdicts.js";

/** A sysctl matrix as result.json holds it: the verdicts, the compared numbers, and each cell's whole storm. */
export interface SysctlMatrixResult {
  schema: "avsync/tw-storm-matrix-result";
  schemaVersion: 1;
  complete: boolean;
  meta: RunMetadata;
  axes: MatrixAxis[];
  fixedSysctls: Array<{ side: string; key: string; value: string }>;
  parallelCells: number;
  verdicts: SysctlVerdict[];
  cells: Array<{ label: string; settings: Record<string, string>; summary: MatrixCellSummary | null; error: string | null; storm: TwStormResult | null }>;
  warnings: string[];
}
