import type { LoadShape } from "./load-shape.js";

/** A steady storm: `ratePerS` cycles every second. */
export function createConstantShape(ratePerS: number): LoadShape {
  return { cyclesDueBy: (tS) => ratePerS * tS };
}
