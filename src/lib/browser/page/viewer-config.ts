import type { CodeStripLayout, PatternOptions } from "../../media/index.js";
import type { Injections } from "../../pusher/index.js";

/** What the viewer page is told about its stream (window.avsyncConfig), written by renderViewerPage. */
export interface ViewerConfig extends Pick<PatternOptions, "fps" | "width" | "height" | "markerPeriodS" | "loopMarkers" | "beepMs"> {
  wsPath: string;
  strip: CodeStripLayout;
  frequenciesHz: number[];
  /** Shown on the page so a person knows what error was injected. */
  injections: Injections;
  /** True when a presented frame's rtpTimestamp names its content (the paced pusher). */
  rtpLockedContent: boolean;
}
