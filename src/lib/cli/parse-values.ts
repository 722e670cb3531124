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

/** Parses `--video-size` WxH (width a multiple of 16, 256–3840; even height, 96–2160), quoted back otherwise. */
export function parseVideoSize(value: string): { width: number; height: number } {
  const match = /^\s*(\d+)\s*[xX×]\s*(\d+)\s*$/.exec(value);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (!match || width % 16 !== 0 || width < 256 || width > 3840 || height % 2 !== 0 || height < 96 || height > 2160) {
    throw new Error(`Expected \`--video-size\` to be WxH with a width that is a multiple of 16 (256–3840) and an even height (96–2160), e.g. 1280x720, got \`${value}\`.`);
  }
  return { width, height };
}

/** Parses `--video-bitrate`: bit/s with an optional k or M, 50k–100M. */
export function parseBitrate(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(value);
  const bps = match ? Number(match[1]) * (match[2]?.toLowerCase() === "m" ? 1e6 : match[2] ? 1e3 : 1) : NaN;
  if (!(bps >= 50_000 && bps <= 100e6)) throw new Error(`Expected \`--video-bitrate\` to be between 50k and 100M bit/s, e.g. 4M, got \`${value}\`.`);
  return Math.round(bps);
}
