import { createBurstShape } from "./burst-shape.js";
import { createConstantShape } from "./constant-shape.js";
import { createRampShape } from "./ramp-shape.js";

/** How many cycles a storm should have started by a given second; the scheduler starts the difference. */
export interface LoadShape {
  cyclesDueBy(tS: number): number;
}

/** A load shape as plain data, so it can cross into a worker process and into result.json. */
export type LoadShapeSpec =
  | { kind: "constant"; ratePerS: number }
  | { kind: "ramp"; fromPerS: number; toPerS: number; rampS: number }
  | { kind: "burst"; burstCycles: number; periodS: number };

/** Builds the shape a spec describes. */
export function createLoadShape(spec: LoadShapeSpec): LoadShape {
  switch (spec.kind) {
    case "constant":
      return createConstantShape(spec.ratePerS);
    case "ramp":
      return createRampShape(spec.fromPerS, spec.toPerS, spec.rampS);
    case "burst":
      return createBurstShape(spec.burstCycles, spec.periodS);
  }
}

/** Gives one of `workers` processes its share of the load, so together they make the whole shape. */
export function splitLoadShape(spec: LoadShapeSpec, workers: number): LoadShapeSpec {
  switch (spec.kind) {
    case "constant":
      return { kind: "constant", ratePerS: spec.ratePerS / workers };
    case "ramp":
      return { ...spec, fromPerS: spec.fromPerS / workers, toPerS: spec.toPerS / workers };
    case "burst":
      return { ...spec, burstCycles: spec.burstCycles / workers };
  }
}

/** The mean rate of a shape over `durationS`, for predictions (rate × 60 s of TIME_WAIT). */
export function meanRatePerS(spec: LoadShapeSpec, durationS: number): number {
  // A burst due exactly at the end never starts: the storm is over by then.
  if (spec.kind === "burst") return (spec.burstCycles * Math.ceil(durationS / spec.periodS)) / durationS;
  return createLoadShape(spec).cyclesDueBy(durationS) / durationS;
}
