import { readFileSync } from "node:fs";
import { sysctlProcPath } from "./sysctl-catalog.js";

/** One sysctl as read from /proc/sys: its value, or why it could not be read. */
export type SysctlReading = { key: string; value: string } | { key: string; value: null; unreadable: string };

/** Reads sysctls from /proc/sys of this process's namespace with plain reads (never sysctl -w, never a write). */
export function readSysctls(keys: readonly string[]): SysctlReading[] {
  return keys.map((key) => {
    try {
      return { key, value: readFileSync(sysctlProcPath(key), "utf8").trim().replace(/\s+/g, " ") };
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { key, value: null, unreadable: code === "ENOENT" ? "not in this kernel" : `${code ?? "error"} reading ${sysctlProcPath(key)}` };
    }
  });
}
