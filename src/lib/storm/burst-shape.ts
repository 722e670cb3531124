import type { LoadShape } from "./load-shape.js";

/** A storm of `burstCycles` at once every `periodS`, like clients reconnecting together after an outage. */
export function createBurstShape(burstCycles: number, periodS: number): LoadShape {
  return { cyclesDueBy: (tS) => burstCycles * (Math.floor(tS / periodS) + 1) };
}
