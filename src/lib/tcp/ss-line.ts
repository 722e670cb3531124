/** One socket as `ss -Htano` prints it. */
export interface SsSocket {
  state: string;
  recvQ: number;
  sendQ: number;
  localAddress: string;
  localPort: number;
  peerAddress: string;
  peerPort: number;
  timer?: { name: string; remainingS: number; retransmits: number };
}

// ss prints state names with dashes (TIME-WAIT); avsync uses the kernel's underscore names everywhere.
function normaliseState(state: string): string {
  return state.toUpperCase().replace(/-/g, "_").replace(/^ESTAB$/, "ESTABLISHED").replace(/^UNCONN$/, "CLOSE");
}

/** Splits `addr:port`, `[v6]:port` and `*:*`; the port is after the last colon. */
export function splitEndpoint(endpoint: string): { address: string; port: number } {
  const colon = endpoint.lastIndexOf(":");
  if (colon < 0) throw new Error(`Expected an endpoint like \`10.0.0.1:8080\`, got \`${endpoint}\`.`);
  const address = endpoint.slice(0, colon).replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const portText = endpoint.slice(colon + 1);
  return { address, port: portText === "*" ? 0 : Number(portText) };
}

/** Parses ss's timer duration (`59sec`, `1min2sec`, `200ms`, `1.5sec`) into seconds. */
export function parseSsDuration(text: string): number {
  // Under 10 s ss prints seconds and milliseconds as `5.123ms` (its print_ms_timer), which means 5.123 s, not ms.
  const secondsAndMs = /^(\d+)\.(\d{3})ms$/.exec(text);
  if (secondsAndMs) return Number(secondsAndMs[1]) + Number(secondsAndMs[2]) / 1000;
  const match = /^(?:(\d+)min)?(?:([\d.]+)sec)?(?:([\d.]+)ms)?$/.exec(text);
  if (!match || text === "") throw new Error(`Expected an ss timer duration like \`59sec\`, got \`${text}\`.`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 1000;
}

/** Parses one line of `ss -H -t -a -n -o` (state column present, timers optional). */
export function parseSsLine(line: string): SsSocket {
  const fields = line.trim().split(/\s+/);
  if (fields.length < 5) throw new Error(`Expected an ss line with state, queues and two endpoints, got \`${line}\`.`);
  const [state, recvQ, sendQ, local, peer, ...rest] = fields as [string, string, string, string, string, ...string[]];
  const localEnd = splitEndpoint(local);
  const peerEnd = splitEndpoint(peer);
  const socket: SsSocket = {
    state: normaliseState(state),
    recvQ: Number(recvQ),
    sendQ: Number(sendQ),
    localAddress: localEnd.address,
    localPort: localEnd.port,
    peerAddress: peerEnd.address,
    peerPort: peerEnd.port,
  };
  const timer = rest.map((field) => /^timer:\((\w+),([^,]+),(\d+)\)$/.exec(field)).find(Boolean);
  if (timer) socket.timer = { name: timer[1]!, remainingS: parseSsDuration(timer[2]!), retransmits: Number(timer[3]) };
  return socket;
}
