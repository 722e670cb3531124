import { existsSync } from "node:fs";

/** What avsync knows about one TCP sysctl: where it is documented, its kernel default, what it really does, the myth. */
export interface SysctlFact {
  key: string;
  docsUrl: string;
  kernelDefault: string;
  /** The oldest kernel that has it, when that is recent enough to matter. */
  sinceKernel?: string;
  fact: string;
  myth?: string;
  /** Says what is wrong with a value, or undefined when the kernel would accept it. */
  checkValue(value: string): string | undefined;
}

const docsPage = "https://docs.kernel.org/networking/ip-sysctl.html";

// Text fragments land on the sysctl's own entry (`tcp_fin_timeout - INTEGER`) in the kernel's ip-sysctl page.
function docsUrlOf(name: string): string {
  return `${docsPage}#:~:text=${name}%20-`;
}

function integerIn(min: number, max: number): (value: string) => string | undefined {
  return (value) => {
    const parsed = Number(value);
    return /^-?\d+$/.test(value.trim()) && parsed >= min && parsed <= max ? undefined : `an integer from ${min} to ${max}`;
  };
}

function oneOf(...allowed: string[]): (value: string) => string | undefined {
  return (value) => (allowed.includes(value.trim()) ? undefined : `one of ${allowed.join(", ")}`);
}

function portRange(value: string): string | undefined {
  const fields = value.trim().split(/\s+/).map(Number);
  const [low, high] = fields as [number, number];
  const ok = fields.length === 2 && fields.every(Number.isInteger) && low >= 1 && high <= 65535 && low <= high;
  return ok ? undefined : `"low high" with 1 ≤ low ≤ high ≤ 65535`;
}

const intMax = 2 ** 31 - 1;

// The sysctls the matrix may vary and the doctor reads; all are kept per network namespace.
export const sysctlCatalog: readonly SysctlFact[] = [
  {
    key: "net.ipv4.tcp_tw_reuse",
    docsUrl: docsUrlOf("tcp_tw_reuse"),
    kernelDefault: "2",
    fact: "Lets an outgoing connect() take a port whose TIME_WAIT is old enough (tcp_tw_reuse_delay, 1 s by default) when TCP timestamps are on: 0 off, 1 on, 2 loopback only (the default since 4.19). It does nothing for incoming connections, and it does not shorten TIME_WAIT.",
    myth: "TIME_WAIT reuse is on by default: it is, but only for loopback, so a storm to 127.0.0.1 never runs out of ports while the same storm between two hosts does.",
    checkValue: oneOf("0", "1", "2"),
  },
  {
    key: "net.ipv4.tcp_tw_reuse_delay",
    docsUrl: docsUrlOf("tcp_tw_reuse_delay"),
    kernelDefault: "1000",
    sinceKernel: "6.14",
    fact: "How old (ms) a TIME_WAIT must be before tcp_tw_reuse may hand its port to a new outgoing connection (Linux 6.14+; before, a fixed 1 s).",
    checkValue: integerIn(1, intMax),
  },
  {
    key: "net.ipv4.tcp_fin_timeout",
    docsUrl: docsUrlOf("tcp_fin_timeout"),
    kernelDefault: "60",
    fact: "How long an orphaned connection (closed by the application) may wait in FIN_WAIT_2 for the peer's FIN. TIME_WAIT lasts TCP_TIMEWAIT_LEN, a fixed 60 s compiled into the kernel.",
    myth: "tcp_fin_timeout=30 shortens TIME_WAIT: it does not.",
    checkValue: integerIn(1, intMax),
  },
  {
    key: "net.ipv4.tcp_max_tw_buckets",
    docsUrl: docsUrlOf("tcp_max_tw_buckets"),
    kernelDefault: "65536 per GB of RAM, capped",
    fact: "The most TIME_WAIT sockets a namespace holds; past it, closing sockets skip TIME_WAIT (TcpExt.TCPTimeWaitOverflow counts them; 6.x prints no log line), losing the protection against old duplicate segments.",
    myth: "Lowering tcp_max_tw_buckets is a safe fix for port exhaustion: it silently drops TIME_WAIT protection instead.",
    checkValue: integerIn(0, intMax),
  },
  {
    key: "net.ipv4.ip_local_port_range",
    docsUrl: docsUrlOf("ip_local_port_range"),
    kernelDefault: "32768 60999",
    fact: "The ephemeral ports connect() picks from: 28,232 by default, for each (source address, destination address, destination port). Without reuse, one destination sustains range ÷ 60 s new connections per second.",
    myth: "A client has 65,535 ports: by default it has 28,232 per destination, and bind() before connect() (Node's localAddress) shares them across all destinations.",
    checkValue: portRange,
  },
  {
    key: "net.ipv4.tcp_timestamps",
    docsUrl: docsUrlOf("tcp_timestamps"),
    kernelDefault: "1",
    fact: "TCP timestamps (RFC 7323): 0 off, 1 on with random offsets, 2 on without. tcp_tw_reuse needs them (PAWS protects a reused port from the old connection's segments).",
    checkValue: oneOf("0", "1", "2"),
  },
  {
    key: "net.ipv4.tcp_keepalive_time",
    docsUrl: docsUrlOf("tcp_keepalive_time"),
    kernelDefault: "7200",
    fact: "Seconds a connection with SO_KEEPALIVE stays idle before the first keepalive probe; sockets without SO_KEEPALIVE are never probed. It has nothing to do with TIME_WAIT.",
    checkValue: integerIn(1, 32767),
  },
  {
    key: "net.ipv4.tcp_keepalive_intvl",
    docsUrl: docsUrlOf("tcp_keepalive_intvl"),
    kernelDefault: "75",
    fact: "Seconds between keepalive probes once probing has started.",
    checkValue: integerIn(1, 32767),
  },
  {
    key: "net.ipv4.tcp_keepalive_probes",
    docsUrl: docsUrlOf("tcp_keepalive_probes"),
    kernelDefault: "9",
    fact: "Unanswered keepalive probes before the connection is declared dead (default: 7200 + 9 × 75 s ≈ 2 h 11 min for a vanished peer).",
    checkValue: integerIn(1, 127),
  },
];

/** Finds a catalogued sysctl by full (`net.ipv4.tcp_tw_reuse`) or short (`tcp_tw_reuse`) name. */
export function findSysctlFact(name: string): SysctlFact | undefined {
  const normalised = name.trim().replace(/\//g, ".");
  return sysctlCatalog.find((fact) => fact.key === normalised || fact.key.endsWith(`.${normalised}`));
}

/** Where a sysctl lives under /proc/sys. */
export function sysctlProcPath(key: string): string {
  return `/proc/sys/${key.replace(/\./g, "/")}`;
}

/** True when the running kernel has this sysctl (tcp_tw_reuse_delay needs 6.14+). */
export function kernelHasSysctl(key: string): boolean {
  return existsSync(sysctlProcPath(key));
}
