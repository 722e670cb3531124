import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** Creates the folder one run writes into: `--out` as given, or a new `reports/<command>-<time>`. */
export function createRunFolder(command: string, out: string | undefined): string {
  const folder = out ? resolve(out) : resolve("reports", `${command}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** Writes result.json atomically, so an interrupted write never leaves half a file behind. */
export function writeResultJson(folder: string, result: unknown): string {
  const path = join(folder, "result.json");
  writeFileSync(`${path}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}
