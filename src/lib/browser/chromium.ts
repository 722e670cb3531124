import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";

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
 * Launches headless Chromium through playwright-core with a fresh profile. Playwright's own
 * SIGINT/SIGTERM handlers are off: the caller closes the browser when its run is interrupted, so
 * the partial result is still written; Playwright's exit hook still kills the browser if the
 * process dies first, and ours removes the profile.
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
  const profileDir = mkdtempSync(join(tmpdir(), "avsync-chromium-"));
  const removeProfile = (): void => rmSync(profileDir, { recursive: true, force: true });
  process.on("exit", removeProfile);
  let context: BrowserContext;
  try {
    context = await playwright.chromium.launchPersistentContext(profileDir, {
      executablePath: found.path,
      headless: true,
      args: chromiumArgs.filter((arg) => arg !== "--headless"),
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 30_000,
    });
  } catch (error) {
    removeProfile();
    process.off("exit", removeProfile);
    throw new Error(`Could not start Chromium at ${found.path}: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  let closed: Promise<void> | undefined;
  return {
    context,
    executable: found.path,
    profileDir,
    close(): Promise<void> {
      closed ??= (async () => {
        await Promise.race([context.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5000))]);
        // Whatever did not exit in time (the browser or one of its helpers) is killed by pid; only
        // processes of this session carry its unique profile path on their command line.
        for (const pid of findProcessesMentioning(profileDir)) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // it exited meanwhile
          }
        }
        removeProfile();
        process.off("exit", removeProfile);
      })();
      return closed;
    },
  };
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
