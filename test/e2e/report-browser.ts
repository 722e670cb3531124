import { spawn, type ChildProcess } from "node:child_process";
import { quietHeadlessArgs } from "../../src/lib/browser/index.js";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's Chromium: the only browser these tests drive (never a downloaded one). */
export const chromiumPath = "/usr/bin/chromium";

/** Why browser tests skip here, or false when they can run. */
export const skipWithoutChromium: string | false = existsSync(chromiumPath) ? false : `${chromiumPath} is absent (apt-get install chromium, or bash scripts/setup.sh --test)`;

/** A page opened in a fresh headless Chromium, with everything it logged and asked the network for. */
export interface OpenedReport {
  page: Page;
  consoleErrors: string[];
  /** Every request other than the report file itself. */
  requests: string[];
  dialogs: string[];
  close: () => Promise<void>;
}

// Chromium is started by hand rather than by playwright so it runs with exactly these flags, in
// its own process group that close() kills whole (renderers and GPU helpers included).
async function startChromium(): Promise<{ browser: Browser; child: ChildProcess; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), "avsync-report-chromium-"));
  const child = spawn(
    chromiumPath,
    [
      ...quietHeadlessArgs,
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "about:blank",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    let log = "";
    const timer = setTimeout(() => reject(new Error(`Chromium did not start within 20 s:\n${log}`)), 20_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => reject(new Error(`Chromium exited with ${code}:\n${log}`)));
  });
  const browser = await chromium.connectOverCDP(endpoint);
  return { browser, child, profile };
}

/** Opens a report.html file and waits until its charts report they are drawn. */
export async function openReport(htmlPath: string, viewport = { width: 1366, height: 900 }): Promise<OpenedReport> {
  const { browser, child, profile } = await startChromium();
  // Browser.close lets Chromium end (and reap) its own children; the group kill is the safety net.
  const close = async (): Promise<void> => {
    const exited = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
    await browser
      .newBrowserCDPSession()
      .then((cdp) => cdp.send("Browser.close"))
      .catch(() => undefined);
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    await browser.close().catch(() => undefined);
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // the group is already gone
    }
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const context = browser.contexts()[0] ?? (await browser.newContext());
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    const url = pathToFileURL(htmlPath).href;
    const consoleErrors: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on("console", (message) => message.type() === "error" && consoleErrors.push(message.text()));
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    page.on("request", (request) => request.url() !== url && requests.push(request.url()));
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.hasAttribute("data-charts-drawn"), undefined, { timeout: 10_000 }).catch(() => undefined);
    return { page, consoleErrors, requests, dialogs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Counts, per canvas, the pixels a chart painted (anything not transparent and not white). */
export function paintedPixelsPerCanvas(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const counts: Record<string, number> = {};
    for (const canvas of Array.from(document.querySelectorAll("canvas"))) {
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0 && !(data[i]! > 250 && data[i + 1]! > 250 && data[i + 2]! > 250)) painted += 1;
      }
      counts[canvas.id] = painted;
    }
    return counts;
  });
}
