import type { SysctlAssignment } from "../netns/index.js";
import type { CloseMode } from "./close-mode.js";
import type { LoadShapeSpec } from "./load-shape.js";

/** Everything a storm needs, validated: the bounds are always finite, so every storm stops by itself. */
export interface TwStormOptions {
  protocol: "ws" | "http";
  closeMode: CloseMode;
  shape: LoadShapeSpec;
  cycles: number;
  durationS: number;
  concurrency: number;
  messages: number;
  /** The embedded server waits this long before it answers a request or accepts an upgrade. */
  serverDelayMs: number;
  workers: number;
  target?: string;
  topology: "auto" | "netns" | "loopback";
  sysctls: SysctlAssignment[];
  port: number;
  drainMaxS: number;
  timeoutMs: number;
  flags?: Record<string, unknown>;
  signal?: AbortSignal;
}

// Hard ceilings: whatever the flags say, a storm ends within these.
export const maxCycles = 1_000_000;
export const maxDurationS = 600;
