// The results room: the union of every result avsync writes, its type guards, and reading a result
// file back (schema-checked). It sits above the runners whose results it names and below the gate
// and the report, which read results and never run anything.
export { isBenchResult, isRunResult, incompleteReasonOf, type AnyResult, type RunResult } from "./run-result.js";
export { loadAnyResult, loadRunResult, findSchemaViolation, resultSchemas } from "./result-schema.js";
