import { twStormOptionsFromFlags, type TwStormFlags } from "../../../src/lib/cli/tw-storm-flags.js";
import type { TwStormOptions } from "../../../src/lib/storm/index.js";

/** Storm options from the command's defaults with a few flags changed, as the tests describe them. */
export function stormOptions(overrides: Partial<TwStormFlags>): TwStormOptions {
  return twStormOptionsFromFlags({
    protocol: "ws",
    close: "client-terminate",
    shape: "constant",
    rate: 1000,
    "ramp-from": 10,
    "burst-period": 1,
    concurrency: 200,
    messages: 0,
    workers: 1,
    topology: "auto",
    port: 8080,
    drain: 0,
    timeout: 5,
    ...overrides,
  });
}

export const isRoot = process.getuid?.() === 0;

/** The kernel counters that say how connections ended early (resets, aborts, TIME_WAIT, orphans, overflow), non-zero only. */
export function notableCounters(delta: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(delta ?? {}).filter(([name, value]) => value !== 0 && /Rst|RST|Abort|TW|TimeWait|Orphan|Memory|Overflow/.test(name)));
}
