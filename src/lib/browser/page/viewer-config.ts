import type { CodeStripLayout } from "../../media/index.js";

/** What the viewer page is told about its stream (window.avsyncConfig), written by renderViewerPage. */
export interface ViewerConfig {
  wsPath: string;
  fps: number;
  width: number;
  height: number;
  markerPeriodS: number;
  loopMarkers: number;
  beepMs: number;
  strip: CodeStripLayout;
  frequenciesHz: number[];
  /** Shown on the page so a person knows what error was injected. */
  injections: { contentOffsetMs: number; scheduleOffsetMs: number; timestampOffsetMs: number };
  /** True when a presented frame's rtpTimestamp names its content (the paced pusher). */
  rtpLockedContent: boolean;
}
