import { timeWaitLifetimeS } from "./tw-storm-predictions.js";

/** One connected cycle in the client's own record: its source port, when it connected and when it ended (epoch ms). */
export type PortUse = [localPort: number, connectEpochMs: number, endEpochMs: number];

/** What the client's record says became of each connected cycle's 4-tuple by a given moment. */
export interface PortRecordReading {
  /** Cycles whose source port a later cycle used again within 60 s of their end: the later SYN found this 4-tuple still in TIME_WAIT. */
  reused: number;
  /** Cycles that ended ≥ 60 s before the moment, their port not used again in between: their TIME_WAIT has run out. */
  expired: number;
}

// Every cycle goes to the one destination from the one client address, so the source port alone names its 4-tuple.
/** Reads the client's port record at `atEpochMs`: which TIME_WAIT a later cycle reused, and which ran their 60 s out. */
export function readPortRecord(uses: PortUse[], atEpochMs: number): PortRecordReading {
  const lifetimeMs = timeWaitLifetimeS * 1000;
  const byConnect = [...uses].sort((a, b) => a[1] - b[1]);
  const lastEndByPort = new Map<number, number>();
  let reused = 0;
  let expired = 0;
  for (const [port, connectEpochMs, endEpochMs] of byConnect) {
    const previousEndMs = lastEndByPort.get(port);
    if (previousEndMs !== undefined) {
      if (connectEpochMs - previousEndMs < lifetimeMs) reused += 1;
      else expired += 1;
    }
    lastEndByPort.set(port, endEpochMs);
  }
  for (const endEpochMs of lastEndByPort.values()) if (atEpochMs - endEpochMs >= lifetimeMs) expired += 1;
  return { reused, expired };
}

/** What the kernel of each namespace counted between the storm's start and the TIME_WAIT reading at its end. */
export interface AccountingCounters {
  client: Record<string, number>;
  server: Record<string, number>;
}

/**
 * Where every cycle's TIME_WAIT went, so that the named parts add up to the cycles started
 * (`unexplained` is what they leave; 0 when every cycle is accounted for).
 */
export interface TimeWaitAccounting {
  cycles: number;
  /** Cycles whose connect() got no source port (EADDRNOTAVAIL): no SYN, no TIME_WAIT. Cycles started less SYNs sent. */
  noPort: number;
  /** Cycles whose SYN never became a connection (refused by an RST, or given up): the client's Tcp.AttemptFails. */
  refused: number;
  /** TIME_WAIT still held on each side at storm end (sockstat above the baseline; ss on loopback). */
  held: { client: number; server: number };
  /** Server TIME_WAIT taken over by a new SYN from a source port the client used again within 60 s (tcp_timewait_state_process accepts it as TCP_TW_SYN, which no kernel counter counts): the client's port reuses less its own recycled ones; 0 when the client holds the TIME_WAIT. */
  takenOver: number;
  /** Client TIME_WAIT that connect() took over for a new cycle (tcp_tw_reuse): the client's TcpExt.TWRecycled. */
  recycled: number;
  /** TIME_WAIT that lived its 60 s before the storm-end reading (the client's port record). */
  expired: number;
  /** Connections ended by an RST instead of a FIN exchange, before TIME_WAIT or killing one (RFC 1337): Tcp.OutRsts of both sides, less those that refused a SYN. */
  reset: number;
  /** Closes that found tcp_max_tw_buckets full and left no TIME_WAIT: TcpExt.TCPTimeWaitOverflow of both sides. */
  overflow: number;
  unexplained: number;
  /** The readings the parts come from, to check them against each other. */
  evidence: {
    /** SYNs the client sent: Tcp.ActiveOpens of the storm's client namespace (on loopback, the connects the client saw). */
    synsSent: number;
    /** Cycles whose source port a later cycle took again within 60 s of their end (the client's port record). */
    portReuses: number;
    /** TIME_WAIT the kernel of each side entered: TcpExt.TW + TcpExt.TWKilled, counted when its timer is set (Linux ≥ 5.17). */
    enteredTw: { client: number; server: number };
  };
}

/** What the accounting is made from: the client's port record, the TIME_WAIT held at storm end and the kernel counters up to then. */
export interface AccountingInput {
  started: number;
  /** SYNs the client sent for the storm (every other cycle found no port). */
  synsSent: number;
  ports: PortUse[];
  held: { client: number; server: number };
  /** When TIME_WAIT was read at storm end. */
  atEpochMs: number;
  /** Counter deltas from the storm's start to the storm-end reading; on loopback both ends are the host's, given once as `client`. */
  counters: AccountingCounters;
  /**
   * Which side's close leaves the TIME_WAIT (close-mode.ts). When it is the client's, a reused port
   * took over nothing: with tcp_tw_reuse the kernel counted it recycled, and otherwise the TIME_WAIT
   * was already gone (killed by an RST, counted reset, or expired), so the reuse is not counted again.
   */
  timeWaitHolder: "client" | "server" | "race";
}

/** Accounts for every started cycle: no port, refused, TIME_WAIT held, taken over, recycled, expired, reset or overflowed. */
export function accountTimeWait(input: AccountingInput): TimeWaitAccounting {
  const counter = (side: "client" | "server", name: string): number => input.counters[side][name] ?? 0;
  const both = (name: string): number => counter("client", name) + counter("server", name);
  const record = readPortRecord(input.ports, input.atEpochMs);
  const refused = counter("client", "Tcp.AttemptFails");
  const recycled = counter("client", "TcpExt.TWRecycled");
  const parts = {
    noPort: input.started - input.synsSent,
    refused,
    held: input.held,
    takenOver: input.timeWaitHolder === "client" ? 0 : Math.max(0, record.reused - recycled),
    recycled,
    expired: record.expired,
    reset: Math.max(0, both("Tcp.OutRsts") - refused),
    overflow: both("TcpExt.TCPTimeWaitOverflow"),
  };
  const named = parts.noPort + parts.refused + parts.held.client + parts.held.server + parts.takenOver + parts.recycled + parts.expired + parts.reset + parts.overflow;
  const entered = (side: "client" | "server"): number => counter(side, "TcpExt.TW") + counter(side, "TcpExt.TWKilled");
  return {
    cycles: input.started,
    ...parts,
    unexplained: input.started - named,
    evidence: { synsSent: input.synsSent, portReuses: record.reused, enteredTw: { client: entered("client"), server: entered("server") } },
  };
}
