import { Flags } from "@oclif/core";
import { parseFrameList } from "../pusher/index.js";
import { parseNumberFlag } from "./parse-values.js";

// Typed flags: each value is parsed (and a bad one quoted back) once, as oclif reads it, so commands
// get numbers and frame lists, never strings to parse again. oclif wraps what a parser throws;
// AvsyncCommand prints the parser's own one line.

/** A number within `range`, quoted back otherwise ("Expected `--x` to be between …"). */
export const numberFlag = (range: { min?: number; max?: number; positive?: boolean }) =>
  Flags.custom<number>({ parse: async (input, _context, flag) => parseNumberFlag(input, flag.name, range) });

/** A number within `range`, written with an optional `/s` (a rate, e.g. `5/s`). */
export const ratePerSFlag = (range: { min?: number; max?: number }) =>
  Flags.custom<number>({ parse: async (input, _context, flag) => parseNumberFlag(input.trim().replace(/\/s$/, ""), flag.name, range) });

/** Frame indexes such as `30,31,32` or `100-104`, sorted; none by default. */
export const frameListFlag = Flags.custom<readonly number[]>({
  default: [],
  defaultHelp: async () => "none",
  parse: async (input, _context, flag) => parseFrameList(input, `--${flag.name}`),
});

/** A positive number no larger than `max` (or 0 when `zero` allows it), quoted back otherwise. */
export function parsePositiveNumber(value: string, flag: string, bounds: { max?: number; zero?: boolean } = {}): number {
  const parsed = value.trim() === "" ? NaN : Number(value);
  if (bounds.zero && parsed === 0) return 0;
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`Expected \`--${flag}\` to be a positive number, got \`${value}\`.`);
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  if (parsed > max) throw new Error(`Expected \`--${flag}\` to be at most ${max}, got \`${value}\`.`);
  return parsed;
}

export const positiveNumberFlag = (bounds: { max?: number; zero?: boolean }) =>
  Flags.custom<number>({ parse: async (input, _context, flag) => parsePositiveNumber(input, flag.name, bounds) });
