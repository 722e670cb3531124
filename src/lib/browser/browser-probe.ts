import { launchChromium } from "./chromium.js";
import { measureViewerState, type BrowserMeasurements, type ViewerPageState } from "./browser-result.js";

export interface BrowserProbeOptions {
  /** The viewer page, e.g. http://127.0.0.1:PORT/ (the embedded target serves it at `/`). */
  pageUrl: string;
  /** How long to watch after the connection is up. */
  durationMs: number;
  markerPeriodMs: number;
  executablePath?: string;
  connectTimeoutMs?: number;
  /** Ends the watch early (Ctrl-C); what the page measured so far is kept. */
  signal?: AbortSignal;
  /** Called once the page's peer connection is up (the target has started its session). */
  onConnected?: () => void;
  /** Called once the page has paired its first marker: from here on an interrupt keeps a measurement. */
  onFirstMarker?: () => void;
}

type ViewerWindow = { avsync?: ViewerPageState };

/**
 * Watches the viewer page in headless Chromium and returns what a viewer saw and heard. The
 * browser and every process it started are gone when this returns or throws.
 */
export async function runBrowserProbe(options: BrowserProbeOptions): Promise<BrowserMeasurements> {
  const chromium = await launchChromium({ executablePath: options.executablePath });
  const aborted = new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  try {
    const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    await page.goto(options.pageUrl, { timeout: 15_000 });
    const connectTimeoutMs = options.connectTimeoutMs ?? 15_000;
    const phase = await Promise.race([
      page
        .waitForFunction(() => ["playing", "failed"].includes((window as unknown as ViewerWindow).avsync?.phase ?? ""), undefined, { timeout: connectTimeoutMs, polling: 50 })
        .then(() => page.evaluate(() => (window as unknown as ViewerWindow).avsync!.phase)),
      aborted.then(() => "aborted"),
    ]);
    if (phase === "playing") {
      options.onConnected?.();
      void page
        .waitForFunction(() => ((window as unknown as ViewerWindow).avsync?.markers.length ?? 0) > 0, undefined, { timeout: options.durationMs, polling: 250 })
        .then(() => options.onFirstMarker?.(), () => undefined);
      await Promise.race([page.waitForTimeout(options.durationMs), aborted]);
    }
    const state = await page.evaluate(() => (window as unknown as ViewerWindow).avsync!);
    const version = chromium.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
    const syncLog = chromium.syncLog(await page.evaluate(() => performance.timeOrigin));
    const measured = measureViewerState(state, { executable: chromium.executable, version, audioClock: state.audio?.clock ?? null }, options.markerPeriodMs, syncLog);
    if (phase !== "playing" && phase !== "aborted" && !measured.error) measured.error = `the page did not start playing (phase ${state.phase})`;
    return measured;
  } finally {
    await chromium.close();
  }
}
