import type { LoadShape } from "./load-shape.js";

/** A storm whose rate climbs linearly from `fromPerS` to `toPerS` over `rampS`, then holds, to find where ports run dry. */
export function createRampShape(fromPerS: number, toPerS: number, rampS: number): LoadShape {
  const slope = (toPerS - fromPerS) / rampS;
  return {
    cyclesDueBy(tS) {
      const rampedS = Math.min(tS, rampS);
      return fromPerS * rampedS + (slope * rampedS * rampedS) / 2 + toPerS * Math.max(0, tS - rampS);
    },
  };
}
