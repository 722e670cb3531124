import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Browser, BrowserContext } from "playwright-core";
import { findProcessesMentioning, profileDirName, removeStaleChromiumProfiles, startChromiumReaper } from "./chromium-reaper.js";
import { chromiumSyncLogArgs, parseChromiumSyncLine, type ChromiumSyncLine } from "./chromium-sync-log.js";

/** Where Debian (and most Linux distributions) install Chromium; avsync never downloads a browser. */
export const defaultChromiumPath = "/usr/bin/chromium";

// Why each flag (measured with Chromium 156, see docs/browser-probe.md):
// - --allow-loopback-in-peer-connection: Chromium leaves 127.0.0.1 out of its ICE candidates, and the
//   embedded target pairs with 127.0.0.1 only; without it ICE fails.
// - --disable-features=WebRtcHideLocalIpsWithMdns: otherwise host candidates are `.local` mDNS names
//   that the target cannot resolve.
// - --autoplay-policy=no-user-gesture-required: the AudioContext and <video> start without a click.
// - the rest keep a headless run quiet and self-contained: no GPU, QUIC, first-run, sync or updates.
/** The flags every headless Chromium avsync starts gets: quiet, self-contained, no network of its own. */
export const quietHeadlessArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export const chromiumArgs = [
  ...quietHeadlessArgs,
  "--autoplay-policy=no-user-gesture-required",
  "--allow-loopback-in-peer-connection",
  "--disable-features=WebRtcHideLocalIpsWithMdns",
  // A hidden headless page must not be throttled: its frame callbacks are the measurement.
  "--disable-background-timer-throttling",
  "--disable-renderer-backgrounding",
  "--disable-backgrounding-occluded-windows",
];

/** A running headless Chromium with its own throw-away profile. */
export interface ChromiumSession {
  context: BrowserContext;
  executable: string;
  profileDir: string;
  /** The browser's own process; its helpers share its process group. */
  pid: number;
  /**
   * Chromium's A/V sync log so far (libwebrtc's own view of the delays it balances), oldest first.
   * Chromium stamps it with the wall clock; pass a page's `performance.timeOrigin` to get times on that page's clock.
   */
  syncLog(originMs?: number): ChromiumSyncLine[];
  /** Closes the browser (every process it started) and removes the profile; safe to call twice. */
  close(): Promise<void>;
}

/** Finds the Chromium to drive, or says why there is none (tests skip with this reason). */
export function findChromium(executablePath = process.env.AVSYNC_CHROMIUM ?? defaultChromiumPath): { path: string } | { missing: string } {
  if (!existsSync(executablePath)) {
    return { missing: `no Chromium at ${executablePath} (install Debian's \`chromium\`, run scripts/setup.sh --test, or set AVSYNC_CHROMIUM)` };
  }
  return { path: executablePath };
}

/**
 * Starts headless Chromium with a fresh profile in a process group of its own and drives it over
 * CDP with playwright-core. avsync starts the process itself (rather than Playwright's launch) for
 * two reasons: its stderr carries libwebrtc's A/V sync log, which getStats() does not expose, and
 * the whole group can be stopped by pid whatever happens to the CDP connection. Ctrl-C in the
 * terminal reaches avsync only; avsync closes the browser, an exit hook kills the group if avsync
 * exits first, and a reaper process does it (and removes the profile) even after a `kill -9`.
 * Profiles that a killed run left behind before its reaper could act are removed on the way.
 */
export async function launchChromium(opts: { executablePath?: string } = {}): Promise<ChromiumSession> {
  const found = findChromium(opts.executablePath);
  if ("missing" in found) throw new Error(`Cannot run the browser probe: ${found.missing}.`);
  let playwright: typeof import("playwright-core");
  try {
    playwright = await import("playwright-core");
  } catch (error) {
    throw new Error("Cannot run the browser probe: the `playwright-core` package is not installed.", { cause: error });
  }
  removeStaleChromiumProfiles();
  const profileDir = mkdtempSync(profileDirName());
  const reaper = startChromiumReaper(profileDir);
  const args = [...chromiumArgs, ...chromiumSyncLogArgs, `--user-data-dir=${profileDir}`, "--remote-debugging-port=0", "about:blank"];
  // Chromium's rendering is the measurement, like the pusher's and probe's threads (rtc/thread-priority.ts):
  // as root it runs at nice −10 (coreutils' nice execs it, so the PID is Chromium's and every process it
  // forks inherits the value), else at the default.
  const [command, commandArgs] = process.getuid?.() === 0 ? ["nice", ["-n", "-10", found.path, ...args]] : [found.path, args];
  const child = spawn(command, commandArgs, {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  if (child.pid !== undefined) reaper.watch(child.pid);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  const onExit = (): void => {
    killGroup("SIGKILL");
    rmSync(profileDir, { recursive: true, force: true });
  };
  process.on("exit", onExit);

  const syncLines: ChromiumSyncLine[] = [];
  const recentStderr: string[] = [];
  let endpoint: (url: string) => void;
  const listening = new Promise<string>((resolve) => (endpoint = resolve));
  createInterface({ input: child.stderr! }).on("line", (line) => {
    const parsed = parseChromiumSyncLine(line);
    if (parsed) {
      if (syncLines.length < maxSyncLines) syncLines.push(parsed);
      return;
    }
    const devtools = /DevTools listening on (ws:\/\/\S+)/.exec(line);
    if (devtools) endpoint(devtools[1]!);
    recentStderr.push(line);
    if (recentStderr.length > 20) recentStderr.shift();
  });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      await Promise.race([browser?.close().catch(() => undefined), sleep(3000)]);
      killGroup("SIGTERM");
      await Promise.race([exited, sleep(3000)]);
      killGroup("SIGKILL");
      await Promise.race([exited, sleep(2000)]);
      // A helper that left the group (none does today) still carries the profile path on its command line.
      for (const pid of findProcessesMentioning(profileDir)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // it exited meanwhile
        }
      }
      rmSync(profileDir, { recursive: true, force: true });
      process.off("exit", onExit);
      reaper.release();
    })();
    return closed;
  };

  let browser: Browser | undefined;
  try {
    const url = await Promise.race([
      listening,
      exited.then(() => Promise.reject(new Error(`it exited at start (${recentStderr.slice(-3).join(" | ") || "no output"})`))),
      sleep(30_000).then(() => Promise.reject(new Error("it did not open its DevTools endpoint within 30 s"))),
    ]);
    browser = await playwright.chromium.connectOverCDP(url, { timeout: 30_000 });
  } catch (error) {
    await close();
    throw new Error(`Could not start Chromium at ${found.path}: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  return {
    context: browser.contexts()[0] ?? (await browser.newContext()),
    executable: found.path,
    profileDir,
    pid: child.pid!,
    syncLog: (originMs = 0) => syncLines.map((line) => ({ ...line, atMs: line.atMs - originMs })),
    close,
  };
}

// A run of an hour logs ~2 lines a second; the cap only guards against a Chromium that floods.
const maxSyncLines = 50_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
