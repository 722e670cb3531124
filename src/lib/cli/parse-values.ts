/** Parses a number flag and quotes the value back when it is not one. */
export function parseNumberFlag(
  value: string,
  flagName: string,
  range: { min?: number; max?: number; positive?: boolean } = {},
): number {
  const parsed = value.trim() === "" ? NaN : Number(value);
  const describe = range.positive ? "a positive number" : "a number";
  if (!Number.isFinite(parsed) || (range.positive && parsed <= 0)) {
    throw new Error(`Expected \`--${flagName}\` to be ${describe}, got \`${value}\`.`);
  }
  if ((range.min !== undefined && parsed < range.min) || (range.max !== undefined && parsed > range.max)) {
    throw new Error(`Expected \`--${flagName}\` to be between ${range.min} and ${range.max}, got \`${value}\`.`);
  }
  return parsed;
}
