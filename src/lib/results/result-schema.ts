import { existsSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { isRunResult, type AnyResult, type RunResult } from "./run-result.js";

// Both src/lib/report (tsx) and dist/lib/report (built) sit three levels below the package root.
const schemaDir = new URL("../../../schema/", import.meta.url);

/** The result schemas avsync writes, by `schema` name: the versions `avsync report` reads. */
export const resultSchemas = {
  "avsync/bench-result": { version: 1, file: "bench-result.v1.schema.json" },
  "avsync/tw-storm-result": { version: 1, file: "tw-storm-result.v1.schema.json" },
  "avsync/tw-storm-matrix-result": { version: 1, file: "tw-storm-matrix-result.v1.schema.json" },
  "avsync/restart-test-result": { version: 1, file: "restart-test-result.v1.schema.json" },
  "avsync/doctor-report": { version: 1, file: "doctor-report.v1.schema.json" },
} as const;

let validators: Map<string, ValidateFunction> | undefined;

function validatorFor(schema: keyof typeof resultSchemas): ValidateFunction {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: true });
    for (const { file } of Object.values(resultSchemas)) ajv.addSchema(JSON.parse(readFileSync(new URL(file, schemaDir), "utf8")), file);
    validators = new Map(Object.entries(resultSchemas).map(([name, { file }]) => [name, ajv.getSchema(file)!]));
  }
  return validators.get(schema)!;
}

/** Returns the first way `data` breaks its result schema, as one sentence, or null when it is a valid result. */
export function findSchemaViolation(data: unknown): string | null {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return "it is not a JSON object";
  const { schema, schemaVersion } = data as { schema?: unknown; schemaVersion?: unknown };
  if (typeof schema !== "string" || !(schema in resultSchemas)) {
    return `\`schema\` is ${JSON.stringify(schema) ?? "missing"}, expected one of ${Object.keys(resultSchemas).join(", ")}`;
  }
  const expected = resultSchemas[schema as keyof typeof resultSchemas];
  if (schemaVersion !== expected.version) {
    return `\`schemaVersion\` is ${JSON.stringify(schemaVersion) ?? "missing"}; this avsync reads ${schema} version ${expected.version}`;
  }
  const validate = validatorFor(schema as keyof typeof resultSchemas);
  if (validate(data)) return null;
  const error = validate.errors![0]!;
  const where = error.instancePath || "/";
  const detail = error.keyword === "additionalProperties" ? `has unexpected property \`${(error.params as { additionalProperty: string }).additionalProperty}\`` : error.message;
  return `${where} ${detail}`;
}

const shownPath = (file: string): string => (relative(process.cwd(), file).startsWith("..") ? file : relative(process.cwd(), file) || file);

/** Reads any result.json avsync writes (or the one in a run folder) and validates it, failing on one line that names the file and the first violation. */
export function loadAnyResult(path: string): { file: string; result: AnyResult } {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, "result.json") : path;
  const shown = shownPath(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`Cannot read \`${shown}\`: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message}.`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`\`${shown}\` is not valid JSON: ${(error as Error).message}.`, { cause: error });
  }
  const violation = findSchemaViolation(data);
  if (violation) throw new Error(`\`${shown}\` is not a valid avsync result: ${violation}.`);
  return { file, result: data as AnyResult };
}

/** Like loadAnyResult, for a run that charts, gates and comparisons need: a bench or tw-storm result. */
export function loadRunResult(path: string): { file: string; result: RunResult } {
  const { file, result } = loadAnyResult(path);
  if (isRunResult(result)) return { file, result };
  throw new Error(
    `\`${shownPath(file)}\` is a valid ${result.schema} result, but report.html, charts, gates and comparisons exist for avsync/bench-result and avsync/tw-storm-result only; \`avsync report ${shownPath(file)}\` without gate flags writes its summary.md.`,
  );
}
