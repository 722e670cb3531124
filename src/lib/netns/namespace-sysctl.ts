import { existsSync, readFileSync } from "node:fs";
import { execa } from "execa";

/** A sysctl to set in the storm's namespaces: on both sides, or only on the client or server one. */
export interface SysctlAssignment {
  side: "both" | "client" | "server";
  key: string;
  value: string;
}

// Only sysctls the kernel keeps per network namespace: writing any other one from inside a namespace
// would change the host, which avsync never does.
export const namespacedSysctls = [
  "net.ipv4.tcp_tw_reuse",
  "net.ipv4.tcp_tw_reuse_delay",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_max_tw_buckets",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_timestamps",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_syn_retries",
  "net.ipv4.tcp_synack_retries",
  "net.ipv4.tcp_max_syn_backlog",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.tcp_orphan_retries",
  "net.ipv4.tcp_rfc1337",
  "net.ipv4.tcp_abort_on_overflow",
  "net.core.somaxconn",
] as const;

// What the sampler reports for each namespace, so a result shows the settings it was measured under.
export const reportedSysctls = [
  "net.ipv4.tcp_tw_reuse",
  "net.ipv4.tcp_tw_reuse_delay",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_max_tw_buckets",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_timestamps",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.core.somaxconn",
] as const;

function procPath(key: string): string {
  return `/proc/sys/${key.replace(/\./g, "/")}`;
}

function fieldShape(value: string): "integers" | "text" {
  return /^\s*-?\d+(\s+-?\d+)*\s*$/.test(value) ? "integers" : "text";
}

/** Parses and validates one `--sysctl [client:|server:]key=value` before anything starts, quoting bad input back. */
export function parseSysctlAssignment(input: string): SysctlAssignment {
  const match = /^(?:(client|server):)?([a-z0-9_.]+)=(.+)$/.exec(input.trim());
  if (!match) {
    throw new Error(`Expected \`--sysctl\` to look like \`net.ipv4.tcp_tw_reuse=1\` (optionally prefixed \`client:\` or \`server:\`), got \`${input}\`.`);
  }
  const side = (match[1] as "client" | "server" | undefined) ?? "both";
  const key = match[2]!.replace(/\//g, ".");
  const value = match[3]!.trim();
  if (!(namespacedSysctls as readonly string[]).includes(key)) {
    throw new Error(`Expected \`--sysctl\` to name a per-namespace TCP sysctl (${namespacedSysctls.join(", ")}), got \`${key}\`.`);
  }
  if (!existsSync(procPath(key))) {
    throw new Error(`This kernel has no sysctl \`${key}\` (no ${procPath(key)}), got \`${input}\`.`);
  }
  const current = readFileSync(procPath(key), "utf8");
  if (fieldShape(current) === "integers") {
    const expectedFields = current.trim().split(/\s+/).length;
    const fields = value.split(/\s+/);
    if (fieldShape(value) !== "integers" || (key !== "net.ipv4.ip_local_reserved_ports" && fields.length !== expectedFields)) {
      throw new Error(`Expected \`--sysctl ${key}\` to be ${expectedFields === 1 ? "an integer" : `${expectedFields} integers`}, got \`${value}\`.`);
    }
    if (key === "net.ipv4.ip_local_port_range") {
      const [low, high] = fields.map(Number) as [number, number];
      if (low < 1 || high > 65535 || low > high) {
        throw new Error(`Expected \`--sysctl ${key}\` to be "low high" with 1 ≤ low ≤ high ≤ 65535, got \`${value}\`.`);
      }
    }
  }
  return { side, key, value };
}

/** Sets one sysctl inside a namespace (never on the host) and checks the kernel kept it. */
export async function setNamespaceSysctl(namespace: string, key: string, value: string): Promise<void> {
  const result = await execa("ip", ["netns", "exec", namespace, "sysctl", "-w", `${key}=${value}`], { reject: false });
  if (result.exitCode !== 0) {
    throw new Error(`The kernel refused \`${key}=${value}\` in namespace ${namespace}: ${result.stderr.trim()}`);
  }
}

/** Reads the sysctls in force in a namespace (or on the host when `namespace` is undefined). */
export async function readNamespaceSysctls(namespace: string | undefined): Promise<Record<string, string>> {
  const args = ["-n", "-e", ...reportedSysctls];
  const result = namespace
    ? await execa("ip", ["netns", "exec", namespace, "sysctl", ...args], { reject: false })
    : await execa("sysctl", args, { reject: false });
  const values = result.stdout.split("\n");
  const present = reportedSysctls.filter((key) => existsSync(procPath(key)));
  return Object.fromEntries(present.map((key, index) => [key, (values[index] ?? "").trim().replace(/\s+/g, " ")]));
}
