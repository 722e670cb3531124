import { spawn, type ChildProcess } from "node:child_process";

// Runs in a detached process of its own: when the avsync process dies by any means (even SIGKILL), its end
// of this pipe closes, and the reaper kills whatever still runs in the namespaces and removes them.
const reaperSource = `
const { execFileSync } = require("node:child_process");
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
process.stdin.resume();
process.stdin.on("end", () => {
  for (const name of process.argv.slice(1)) {
    try {
      const pids = execFileSync("ip", ["netns", "pids", name], { encoding: "utf8" }).split(/\\s+/).filter(Boolean);
      for (const pid of pids) { try { process.kill(Number(pid), "SIGKILL"); } catch {} }
    } catch {}
    try { execFileSync("ip", ["netns", "delete", name], { stdio: "ignore" }); } catch {}
  }
  process.exit(0);
});
`;

/** A guard that removes namespaces once its owner is gone, however the owner ended. */
export interface NamespaceReaper {
  release(): void;
}

/** Starts a reaper for these namespaces; `release()` after a clean removal lets it exit (a second removal is harmless). */
export function startNamespaceReaper(names: string[]): NamespaceReaper {
  const child: ChildProcess = spawn(process.execPath, ["-e", reaperSource, ...names], {
    detached: true,
    stdio: ["pipe", "ignore", "ignore"],
  });
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return {
    release() {
      child.stdin?.end();
    },
  };
}
