import { isIP } from "node:net";
import { parseSysctlAssignment, type SysctlAssignment } from "../netns/index.js";
import { closeModeNeedsEmbeddedServer, type CloseMode } from "./close-mode.js";
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

/** The flags of `avsync tw-storm` as oclif parsed them (numbers that may be fractional stay strings until here). */
export interface TwStormFlags {
  protocol: "ws" | "http";
  close: CloseMode;
  shape: "constant" | "ramp" | "burst";
  rate: string;
  "ramp-from": string;
  "burst-cycles"?: number;
  "burst-period": string;
  cycles?: number;
  duration?: string;
  concurrency: number;
  messages: number;
  "server-delay-ms"?: number;
  workers: number;
  target?: string;
  topology: "auto" | "netns" | "loopback";
  sysctl?: string[];
  port: number;
  drain: string;
  timeout: string;
}

// Hard ceilings: whatever the flags say, a storm ends within these.
export const maxCycles = 1_000_000;
export const maxDurationS = 600;

function positiveNumber(value: string, flag: string, maxValue = Number.MAX_SAFE_INTEGER): number {
  const parsed = value.trim() === "" ? NaN : Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`Expected \`--${flag}\` to be a positive number, got \`${value}\`.`);
  if (parsed > maxValue) throw new Error(`Expected \`--${flag}\` to be at most ${maxValue}, got \`${value}\`.`);
  return parsed;
}

function checkLoopbackTarget(target: string): void {
  let url: URL;
  try {
    url = new URL(target);
  } catch (error) {
    throw new Error(`Expected \`--target\` to be a URL like ws://127.0.0.1:8080/ws, got \`${target}\`.`, { cause: error });
  }
  if (!["ws:", "http:"].includes(url.protocol)) throw new Error(`Expected \`--target\` to start with ws:// or http://, got \`${target}\`.`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const loopback = host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
  if (!loopback) {
    throw new Error(`Expected \`--target\` on a loopback address (127.0.0.0/8, ::1, localhost): avsync storms only loopback and its own namespaces, got \`${target}\`.`);
  }
}

/** Turns command flags into storm options, quoting any bad value back before anything starts. */
export function twStormOptionsFromFlags(flags: TwStormFlags): TwStormOptions {
  const ratePerS = positiveNumber(flags.rate, "rate", 1_000_000);
  const shape: LoadShapeSpec =
    flags.shape === "constant"
      ? { kind: "constant", ratePerS }
      : flags.shape === "ramp"
        ? { kind: "ramp", fromPerS: positiveNumber(flags["ramp-from"], "ramp-from"), toPerS: ratePerS, rampS: 0 }
        : { kind: "burst", burstCycles: flags["burst-cycles"] ?? Math.ceil(ratePerS), periodS: positiveNumber(flags["burst-period"], "burst-period") };
  const explicitDurationS = flags.duration === undefined ? undefined : positiveNumber(flags.duration, "duration", maxDurationS);
  const averageRatePerS = shape.kind === "burst" ? shape.burstCycles / shape.periodS : ratePerS;
  // With only --cycles, the storm gets the time its rate needs plus slack, still under the ceiling.
  const durationS = explicitDurationS ?? (flags.cycles ? Math.min(maxDurationS, flags.cycles / averageRatePerS + 30) : 10);
  if (shape.kind === "ramp") shape.rampS = durationS;
  const cycles = Math.min(maxCycles, flags.cycles ?? Math.ceil(averageRatePerS * durationS));
  if (flags.target) checkLoopbackTarget(flags.target);
  if (flags.target && closeModeNeedsEmbeddedServer(flags.close)) {
    throw new Error(`Expected a client-side \`--close\` with \`--target\` (the server closes only in the embedded target), got \`${flags.close}\`.`);
  }
  if (flags.protocol === "http" && shape.kind !== "constant") {
    throw new Error(`Expected \`--shape constant\` with \`--protocol http\` (autocannon paces only a fixed rate), got \`${flags.shape}\`.`);
  }
  if (flags.protocol === "http" && flags.messages > 0) {
    throw new Error(`Expected \`--messages 0\` with \`--protocol http\` (each HTTP cycle is one request), got \`${flags.messages}\`.`);
  }
  const serverDelayMs = flags["server-delay-ms"] ?? 0;
  if (flags.target && serverDelayMs > 0) {
    throw new Error("Expected no `--server-delay-ms` with `--target`: only the embedded server can be told to wait.");
  }
  const sysctls = (flags.sysctl ?? []).map(parseSysctlAssignment);
  if (sysctls.length > 0 && flags.topology === "loopback") {
    throw new Error("Expected no `--sysctl` with `--topology loopback`: avsync sets sysctls only inside its own namespaces, never on the host.");
  }
  return {
    protocol: flags.protocol,
    closeMode: flags.close,
    shape,
    cycles,
    durationS,
    concurrency: flags.concurrency,
    messages: flags.messages,
    serverDelayMs,
    workers: flags.workers,
    target: flags.target,
    topology: flags.target ? "loopback" : flags.topology,
    sysctls,
    port: flags.port,
    drainMaxS: Number(flags.drain) === 0 ? 0 : positiveNumber(flags.drain, "drain", maxDurationS),
    timeoutMs: positiveNumber(flags.timeout, "timeout", 120) * 1000,
    flags: { ...flags },
  };
}
