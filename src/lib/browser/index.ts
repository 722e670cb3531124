// The browser room: what a viewer actually sees and hears. The viewer page (served by the
// embedded target) measures in the browser; the browser probe drives it headless in Chromium.
export { renderViewerPage, type ViewerPageOptions } from "./page/viewer-page.js";
export { runBrowserProbe, type BrowserProbeOptions } from "./browser-probe.js";
export { findChromium, chromiumArgs, quietHeadlessArgs } from "./chromium.js";
export { findProcessesMentioning, removeStaleChromiumProfiles } from "./chromium-reaper.js";
export { measureViewerState, type BrowserMeasurements, type BrowserMarker, type BrowserStatsSample, type ViewerPageState } from "./browser-result.js";
export { watchInBrowser, parseProbeKinds, compareBrowser, type ProbeKind, type BrowserWatch, type BrowserComparison } from "./bench-browser.js";
export { parseChromiumSyncLine, chromiumSyncDeadBandMs, type ChromiumSyncLine } from "./chromium-sync-log.js";
export { analyseChromiumSync, estimateAt, type ChromiumSync } from "./chromium-sync.js";
