import { isIP } from "node:net";
import { Flags } from "@oclif/core";
import { parseSysctlAssignment } from "../netns/index.js";
import { positiveNumberFlag } from "./flag-kinds.js";
import { flagsForRecord } from "./recorded-flags.js";
import { closeModeNeedsEmbeddedServer, closeModes, maxCycles, maxDurationS, type LoadShapeSpec, type TwStormOptions } from "../storm/index.js";

// The flags of `avsync tw-storm` that describe one storm, typed (flag-kinds.ts): twStormOptionsFromFlags
// only checks what holds between flags.
export const twStormFlags = {
  protocol: Flags.option({ options: ["ws", "http"] as const, default: "ws" as const, description: "Cycle over WebSocket (ws) or plain HTTP requests driven by autocannon (http)." })(),
  close: Flags.option({ options: closeModes, default: "client-terminate" as const, description: "Who closes each cycle and how; the side that sends the first FIN holds TIME_WAIT." })(),
  shape: Flags.option({ options: ["constant", "ramp", "burst"] as const, default: "constant" as const, description: "Load shape: a constant rate, a ramp from --ramp-from up to --rate, or bursts of --burst-cycles every --burst-period seconds." })(),
  rate: positiveNumberFlag({ max: 1_000_000 })({ default: 500, description: "Cycles per second (the ramp's final rate; the bursts' default size)." }),
  "ramp-from": positiveNumberFlag({})({ default: 10, description: "Rate in cycles per second at which a ramp starts." }),
  "burst-cycles": Flags.integer({ min: 1, description: "Cycles started at once in each burst." }),
  "burst-period": positiveNumberFlag({})({ default: 1, description: "Seconds between bursts." }),
  cycles: Flags.integer({ min: 1, max: 1_000_000, description: "Total cycles; the storm stops at this count or at --duration, whichever comes first." }),
  duration: positiveNumberFlag({ max: maxDurationS })({ description: "Longest the storm may run, in seconds (at most 600); defaults to 10, or to the time --cycles needs plus 30 s." }),
  concurrency: Flags.integer({ default: 200, min: 1, max: 50_000, description: "Most cycles in flight at once, over all workers." }),
  messages: Flags.integer({ default: 0, min: 0, max: 1000, description: "Messages echoed in each WebSocket cycle before it closes." }),
  "server-delay-ms": Flags.integer({ default: 0, min: 0, max: 10_000, description: "The embedded server waits this long before it answers an HTTP request or accepts a WebSocket upgrade: a slow server, and a known delay the latency figures must show." }),
  workers: Flags.integer({ default: 1, min: 1, max: 16, description: "Client worker processes; one Node process reaches about 1–2k cycles/s." }),
  target: Flags.string({ description: "Storm your own server on loopback (ws://127.0.0.1:8080/ws) instead of the embedded one." }),
  topology: Flags.option({ options: ["auto", "netns", "loopback"] as const, default: "auto" as const, description: "Where to storm: two namespaces of avsync's own (needs root), loopback, or auto (namespaces when allowed)." })(),
  sysctl: Flags.string({ multiple: true, description: "A sysctl set inside the storm's namespaces (never on the host), as key=value, optionally prefixed client: or server:. Repeatable." }),
  port: Flags.integer({ default: 8080, min: 0, max: 65535, description: "Port of the embedded server." }),
  drain: positiveNumberFlag({ max: maxDurationS, zero: true })({ default: 70, description: "Seconds to keep sampling after the storm, until TIME_WAIT is back to its start; 0 skips the drain." }),
  timeout: positiveNumberFlag({ max: 120 })({ default: 5, description: "Seconds a handshake may take before the cycle counts as ETIMEDOUT." }),
};

/** The storm flags as oclif parsed them. */
export interface TwStormFlags {
  protocol: "ws" | "http";
  close: TwStormOptions["closeMode"];
  shape: "constant" | "ramp" | "burst";
  rate: number;
  "ramp-from": number;
  "burst-cycles"?: number;
  "burst-period": number;
  cycles?: number;
  duration?: number;
  concurrency: number;
  messages: number;
  "server-delay-ms"?: number;
  workers: number;
  target?: string;
  topology: "auto" | "netns" | "loopback";
  sysctl?: string[];
  port: number;
  drain: number;
  timeout: number;
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

/** Turns the storm flags into storm options, checking what holds between flags before anything starts. */
export function twStormOptionsFromFlags(flags: TwStormFlags): TwStormOptions {
  const ratePerS = flags.rate;
  const shape: LoadShapeSpec =
    flags.shape === "constant"
      ? { kind: "constant", ratePerS }
      : flags.shape === "ramp"
        ? { kind: "ramp", fromPerS: flags["ramp-from"], toPerS: ratePerS, rampS: 0 }
        : { kind: "burst", burstCycles: flags["burst-cycles"] ?? Math.ceil(ratePerS), periodS: flags["burst-period"] };
  const averageRatePerS = shape.kind === "burst" ? shape.burstCycles / shape.periodS : ratePerS;
  // With only --cycles, the storm gets the time its rate needs plus slack, still under the ceiling.
  const durationS = flags.duration ?? (flags.cycles ? Math.min(maxDurationS, flags.cycles / averageRatePerS + 30) : 10);
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
    drainMaxS: flags.drain,
    timeoutMs: flags.timeout * 1000,
    flags: flagsForRecord(flags as unknown as Record<string, unknown>, twStormFlags),
  };
}
