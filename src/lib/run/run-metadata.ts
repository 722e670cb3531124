import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cpus, hostname, release } from "node:os";

/** Where and with what a run was measured, so two results can be compared honestly. */
export interface RunMetadata {
  command: string;
  avsyncVersion: string;
  nodeVersion: string;
  weriftVersion: string;
  kernel: string;
  platform: string;
  cpuCount: number;
  cpuModel: string;
  hostname: string;
  startedAt: string;
  durationS: number | null;
  flags: Record<string, unknown>;
}

const require = createRequire(import.meta.url);

function packageVersion(packageJsonPath: string): string {
  try {
    return (JSON.parse(readFileSync(packageJsonPath, "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

// werift's exports map hides its package.json, so walk up from its entry point.
function installedVersion(name: string): string {
  let dir = dirname(require.resolve(name));
  while (dir !== dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version: string };
      if (pkg.name === name) return pkg.version;
    } catch {
      // not a package root yet
    }
    dir = dirname(dir);
  }
  return "unknown";
}

/** Collects the metadata of a run that starts now. */
export function collectRunMetadata(command: string, flags: Record<string, unknown>): RunMetadata {
  const cpuList = cpus();
  return {
    command,
    avsyncVersion: packageVersion(new URL("../../../package.json", import.meta.url).pathname),
    nodeVersion: process.version,
    weriftVersion: installedVersion("werift"),
    kernel: release(),
    platform: `${process.platform}-${process.arch}`,
    cpuCount: cpuList.length,
    cpuModel: cpuList[0]?.model ?? "unknown",
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    durationS: null,
    flags,
  };
}
