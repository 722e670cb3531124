import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/run.js", import.meta.url));

/** Runs the built CLI (bin/run.js → dist/) and returns what it printed and its exit code; `env` adds to the environment. */
export function runCli(args: string[], timeoutMs = 60_000, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: "0", ...env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
