import { isIP } from "node:net";

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

/**
 * Parses `--host`: one IP address to listen on, not a wildcard (a server that offers media from
 * one address must name it), quoted back otherwise.
 */
export function parseHostFlag(value: string): string {
  const host = value.trim().replace(/^\[(.*)\]$/, "$1");
  if (isIP(host) === 0 || host === "0.0.0.0" || host === "::") {
    throw new Error(`Expected \`--host\` to be one IP address of this machine, such as 127.0.0.1 or 10.213.0.2, got \`${value}\`.`);
  }
  return host;
}
