import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Runs in a detached process of its own, as the namespace reaper does for storms: when avsync
// dies by any means (even SIGKILL), its end of this pipe closes, and the reaper kills Chromium's
// process group and any process still naming the profile, then removes the profile. The profile
// and the group arrive on stdin, so the reaper's own command line never names the profile.
const reaperSource = `
const { readdirSync, readFileSync, rmSync } = require("node:fs");
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => {});
let profile = "", group = 0, released = false, pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  const lines = pending.split("\\n");
  pending = lines.pop();
  for (const line of lines) {
    if (line === "release") released = true;
    else if (line.startsWith("group ")) group = Number(line.slice(6));
    else if (line.startsWith("profile ")) profile = line.slice(8);
  }
});
const kill = (pid) => { try { process.kill(pid, "SIGKILL"); } catch {} };
process.stdin.on("end", () => {
  if (released || !profile) process.exit(0);
  if (group > 0) kill(-group);
  for (const entry of readdirSync("/proc")) {
    if (!/^\\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try { if (readFileSync("/proc/" + entry + "/cmdline", "utf8").includes(profile)) kill(Number(entry)); } catch {}
  }
  // Killed processes may still hold files in the profile for a moment.
  let tries = 0;
  const remove = () => {
    try { rmSync(profile, { recursive: true, force: true }); process.exit(0); } catch { if (++tries < 20) setTimeout(remove, 100); else process.exit(1); }
  };
  remove();
});
`;

/** A guard that removes a headless Chromium and its profile once its owner is gone, however the owner ended. */
export interface ChromiumReaper {
  /** The browser's process group, once started. */
  watch(groupId: number): void;
  /** The owner cleaned up itself: the reaper exits without touching anything. */
  release(): void;
}

/** Starts a reaper for this profile folder before the browser that will use it starts. */
export function startChromiumReaper(profileDir: string): ChromiumReaper {
  const child = spawn(process.execPath, ["-e", reaperSource], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
  child.unref();
  const stdin = child.stdin!;
  (stdin as unknown as { unref?: () => void }).unref?.();
  // The reaper may be gone already (killed by someone); writing to it must never fail avsync.
  stdin.on("error", () => undefined);
  stdin.write(`profile ${profileDir}\n`);
  return {
    watch: (groupId) => void stdin.write(`group ${groupId}\n`),
    release: () => {
      stdin.end("release\n");
    },
  };
}

// Every profile folder avsync gives a headless Chromium starts so, followed by its owner's pid.
const profilePrefix = "avsync-chromium-";

/** A profile folder for a Chromium that this process drives; its name carries this process's pid. */
export function profileDirName(): string {
  return join(tmpdir(), `${profilePrefix}${process.pid}-`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes the profiles (and kills the processes) of headless Chromiums whose avsync is gone: what
 * a run killed before its reaper could act left behind. A profile whose owner lives, or (from an
 * avsync before owner pids were in the name) that a live process still names, is left alone.
 */
export function removeStaleChromiumProfiles(dir = tmpdir()): string[] {
  if (!existsSync(dir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(profilePrefix)) continue;
    const owner = /^\d+(?=-)/.exec(name.slice(profilePrefix.length));
    if (owner && alive(Number(owner[0]))) continue;
    const path = join(dir, name);
    const users = findProcessesMentioning(path);
    if (!owner && users.length > 0) continue;
    for (const pid of users) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // it exited meanwhile
      }
    }
    rmSync(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** Pids of live processes whose command line contains `text` (Linux /proc), for leak checks and clean-up. */
export function findProcessesMentioning(text: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(text)) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
