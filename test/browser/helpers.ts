import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { findChromium, findProcessesMentioning } from "../../src/lib/browser/index.js";

const found = findChromium();
/** Why browser tests cannot run here, or false when they can. */
export const skipWithoutChromium: string | false = "missing" in found ? `skipped: ${found.missing}` : false;

/** Profile dirs of headless Chromium sessions that still exist in the temp dir. */
export function leftoverProfiles(dir = tmpdir()): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith("avsync-chromium-")) : [];
}

/** Live processes that belong to a headless Chromium session of this repo (their profile is on the command line). */
export function leftoverBrowserProcesses(marker = "avsync-chromium-"): number[] {
  return findProcessesMentioning(marker);
}

/** Half a frame period plus 5 ms: how close a rendered offset must be (frames are only shown on frame boundaries). */
export function renderTolerance(fps: number): number {
  return 1000 / fps / 2 + 5;
}

/** Asserts, after a short grace for exiting processes, that no browser process or new profile is left. */
export async function assertBrowserGone(profilesBefore: readonly string[]): Promise<void> {
  const deadline = Date.now() + 3000;
  while (leftoverBrowserProcesses().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  const processes = leftoverBrowserProcesses();
  const profiles = leftoverProfiles().filter((name) => !profilesBefore.includes(name));
  if (processes.length > 0 || profiles.length > 0) {
    throw new Error(`browser left behind: processes ${processes.join(", ") || "none"}, profiles ${profiles.join(", ") || "none"}`);
  }
}
