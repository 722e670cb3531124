import { findSysctlFact } from "../sysctl/index.js";
import type { HostSnapshot } from "./host-snapshot.js";

/** One thing the doctor says about the host: how much it matters, why, the fact behind it, and what to measure next. */
export interface DoctorFinding {
  id: string;
  level: "risk" | "warn" | "info" | "ok";
  title: string;
  why: string;
  measure: string | null;
  docsUrl: string | null;
}

const bin = "avsync tw-storm";
const thousandPorts = "--sysctl 'net.ipv4.ip_local_port_range=60000 60999'";

function docs(key: string): string | null {
  return findSysctlFact(key)?.docsUrl ?? null;
}

function portRangeSize(range: string | null): number | null {
  if (!range) return null;
  const [low, high] = range.split(/\s+/).map(Number) as [number, number];
  return Number.isFinite(low) && Number.isFinite(high) ? high - low + 1 : null;
}

// Each rule reads only the snapshot; a value that could not be read yields no finding (the snapshot lists it).
/** Judges a host snapshot for a real-time signaling server whose clients reconnect in storms. */
export function diagnoseHost(host: HostSnapshot): DoctorFinding[] {
  const findings: DoctorFinding[] = [];
  const sysctl = (name: string): string | null => host.sysctls[`net.ipv4.${name}`] ?? host.sysctls[name] ?? null;
  const add = (finding: DoctorFinding): void => void findings.push(finding);

  const reuse = sysctl("tcp_tw_reuse");
  const delay = sysctl("tcp_tw_reuse_delay");
  const timestamps = sysctl("tcp_timestamps");
  const reuseMeasure = `${bin} --matrix net.ipv4.tcp_tw_reuse=0,1,2 ${thousandPorts} --cycles 2500 --rate 400 --drain 0`;
  if (reuse === "2" || reuse === "0") {
    add({
      id: "tcp_tw_reuse",
      level: "warn",
      title: reuse === "2" ? "tcp_tw_reuse=2: TIME_WAIT reuse for loopback only" : "tcp_tw_reuse=0: outgoing connections never reuse TIME_WAIT ports",
      why: `Outgoing connections from this host to another address (an upstream, a TURN or Redis server, a load test) cannot reuse a port in TIME_WAIT, so beyond (port range ÷ 60 s) new connections per second to one destination, connect() fails with EADDRNOTAVAIL.${reuse === "2" ? " A load test against 127.0.0.1 reuses them after 1 s and hides this." : ""} Incoming connections (clients reconnecting to the server) are not affected: their TIME_WAIT never blocks the listening port.`,
      measure: reuseMeasure,
      docsUrl: docs("net.ipv4.tcp_tw_reuse"),
    });
  } else if (reuse === "1") {
    add({ id: "tcp_tw_reuse", level: "ok", title: "tcp_tw_reuse=1: outgoing connect() reuses TIME_WAIT ports (with timestamps)", why: "Helps only outgoing connections; it does not shorten TIME_WAIT.", measure: reuseMeasure, docsUrl: docs("net.ipv4.tcp_tw_reuse") });
  }
  if (timestamps === "0") {
    add({ id: "tcp_timestamps", level: "risk", title: "tcp_timestamps=0: TIME_WAIT can never be reused", why: "tcp_tw_reuse needs TCP timestamps (PAWS); with them off every reuse setting is inert and a port stays blocked for the full 60 s.", measure: `${bin} --matrix net.ipv4.tcp_timestamps=0,1 --sysctl net.ipv4.tcp_tw_reuse=1 ${thousandPorts} --cycles 2500 --rate 400 --drain 0`, docsUrl: docs("net.ipv4.tcp_timestamps") });
  }
  add(
    delay === null
      ? { id: "tcp_tw_reuse_delay", level: "info", title: `No tcp_tw_reuse_delay on this kernel (${host.kernel})`, why: "Before Linux 6.14 a TIME_WAIT must be 1 s old before tcp_tw_reuse hands its port out; the delay is not tunable here.", measure: null, docsUrl: docs("net.ipv4.tcp_tw_reuse_delay") }
      : { id: "tcp_tw_reuse_delay", level: "info", title: `tcp_tw_reuse_delay=${delay} ms`, why: "With tcp_tw_reuse on, a port in TIME_WAIT is handed to a new outgoing connection once its TIME_WAIT is this old.", measure: `${bin} --matrix net.ipv4.tcp_tw_reuse_delay=50,${delay === "5000" ? "1000" : "5000"} --sysctl net.ipv4.tcp_tw_reuse=1 --cycles 300 --rate 300 --drain 0`, docsUrl: docs("net.ipv4.tcp_tw_reuse_delay") },
  );

  const range = sysctl("ip_local_port_range");
  const ports = portRangeSize(range);
  if (ports !== null) {
    const tw = host.sockstat?.tw ?? host.ssSummary?.timeWait ?? null;
    const busy = tw !== null && tw > ports / 2;
    add({
      id: "ip_local_port_range",
      level: busy ? "risk" : ports < 28232 ? "warn" : "info",
      title: `${ports.toLocaleString("en-US")} ephemeral ports (${range})${tw !== null ? `; ${tw.toLocaleString("en-US")} sockets in TIME_WAIT now` : ""}`,
      why: `Per (source address, destination address, destination port). Without reuse one destination sustains ${Math.floor(ports / 60).toLocaleString("en-US")} new outgoing connections per second (ports ÷ 60 s of TIME_WAIT); the default range is 28,232 ports, not 65,535; bind() before connect() (Node's localAddress) loses the sharing across destinations.${busy ? " More than half of that is in TIME_WAIT right now." : ""}`,
      measure: `${bin} --cycles 2500 --rate 400 ${thousandPorts} --sysctl net.ipv4.tcp_tw_reuse=0 --drain 0`,
      docsUrl: docs("net.ipv4.ip_local_port_range"),
    });
  }

  const finTimeout = sysctl("tcp_fin_timeout");
  if (finTimeout !== null) {
    add({
      id: "tcp_fin_timeout",
      level: finTimeout === "60" ? "ok" : "info",
      title: finTimeout === "60" ? "tcp_fin_timeout=60 (the default)" : `tcp_fin_timeout=${finTimeout} does not shorten TIME_WAIT`,
      why: "It bounds orphaned FIN_WAIT_2 only; TIME_WAIT is TCP_TIMEWAIT_LEN, a fixed 60 s. Tuning it will not free ports sooner.",
      measure: `${bin} --matrix net.ipv4.tcp_fin_timeout=5,60 --cycles 300 --rate 300`,
      docsUrl: docs("net.ipv4.tcp_fin_timeout"),
    });
  }

  const buckets = Number(sysctl("tcp_max_tw_buckets"));
  const overflow = host.counters?.["TcpExt.TCPTimeWaitOverflow"] ?? 0;
  if (overflow > 0 || (ports !== null && Number.isFinite(buckets) && buckets < ports)) {
    add({
      id: "tcp_max_tw_buckets",
      level: overflow > 0 ? "risk" : "warn",
      title: overflow > 0 ? `TIME_WAIT overflowed ${overflow.toLocaleString("en-US")} times since boot (tcp_max_tw_buckets=${buckets})` : `tcp_max_tw_buckets=${buckets} is below the port range`,
      why: "Past the limit, closing sockets skip TIME_WAIT silently (6.x logs nothing): old duplicate segments may then corrupt a new connection on the same 4-tuple. It does not make ports run out more slowly in a safe way.",
      measure: `${bin} --matrix net.ipv4.tcp_max_tw_buckets=100,${Math.max(buckets || 0, 262144)} --cycles 300 --rate 300 --drain 0`,
      docsUrl: docs("net.ipv4.tcp_max_tw_buckets"),
    });
  }

  const keepaliveS = Number(sysctl("tcp_keepalive_time"));
  const intervalS = Number(sysctl("tcp_keepalive_intvl"));
  const probes = Number(sysctl("tcp_keepalive_probes"));
  if (Number.isFinite(keepaliveS) && keepaliveS >= 600 && sysctl("tcp_keepalive_time") !== null) {
    const deadAfterS = keepaliveS + (Number.isFinite(intervalS * probes) ? intervalS * probes : 0);
    add({
      id: "tcp_keepalive",
      level: "warn",
      title: `TCP keepalive notices a vanished peer after ${(deadAfterS / 60).toFixed(0)} min`,
      why: `tcp_keepalive_time=${keepaliveS} s + ${probes} probes × ${intervalS} s, and only on sockets with SO_KEEPALIVE. A signaling server should detect dead clients with WebSocket ping/pong every 10–30 s instead; keepalive has nothing to do with TIME_WAIT.`,
      measure: null,
      docsUrl: docs("net.ipv4.tcp_keepalive_time"),
    });
  }

  const overflows = (host.counters?.["TcpExt.ListenOverflows"] ?? 0) + (host.counters?.["TcpExt.ListenDrops"] ?? 0);
  if (overflows > 0) {
    add({
      id: "listen_overflows",
      level: "warn",
      title: `Accept queues overflowed or dropped ${overflows.toLocaleString("en-US")} times since boot (somaxconn=${host.sysctls["net.core.somaxconn"] ?? "?"})`,
      why: "A reconnect storm that outruns accept() loses SYNs; clients retry after 1 s, 3 s, 7 s … and the storm lasts longer.",
      measure: `${bin} --close server-terminate --rate 2000 --cycles 20000 --drain 0`,
      docsUrl: null,
    });
  }

  if (!host.root) {
    add({ id: "not_root", level: "info", title: "Not root: read what an unprivileged user may read", why: "`avsync tw-storm` in namespaces, `--sysctl` and `--matrix` need root; without it storms run on loopback, where tcp_tw_reuse=2 hides port exhaustion.", measure: null, docsUrl: null });
  }
  return findings;
}
