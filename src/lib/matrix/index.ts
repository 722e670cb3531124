export { cellSysctls, expandMatrix, maxMatrixCells, parseMatrixAxis, type MatrixAxis, type MatrixCellSpec } from "./matrix-axes.js";
export { lifetimeFromTimersS, summariseMatrixCell, type MatrixCellSummary } from "./matrix-cell.js";
export { judgeMatrix, type SysctlVerdict, type VerdictMeasure } from "./matrix-verdicts.js";
export { probePortReuse, type PortReuseProbe } from "./reuse-probe.js";
export type { SysctlMatrixResult } from "./sysctl-matrix-result.js";
export { runSysctlMatrix, type SysctlMatrixEvents } from "./sysctl-matrix-runner.js";
