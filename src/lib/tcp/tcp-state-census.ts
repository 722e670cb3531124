import type { SsSocket } from "./ss-line.js";

/** Socket counts by state for the two ends of the target port's connections. */
export interface TcpStateCensus {
  client: Record<string, number>;
  server: Record<string, number>;
  // TIME_WAIT sockets by whole seconds left on their timer, so the 60 s clock can be seen running.
  timeWaitRemainingS: Record<string, number>;
}

/** Counts sockets by state and by which end they are: the end whose local port is the target port is the server's. */
export function countTcpStatesBySide(sockets: SsSocket[], targetPort: number): TcpStateCensus {
  const census: TcpStateCensus = { client: {}, server: {}, timeWaitRemainingS: {} };
  for (const socket of sockets) {
    if (socket.state === "LISTEN") continue;
    const side = socket.localPort === targetPort ? census.server : socket.peerPort === targetPort ? census.client : undefined;
    if (!side) continue;
    side[socket.state] = (side[socket.state] ?? 0) + 1;
    if (socket.state === "TIME_WAIT" && socket.timer) {
      const bucket = String(Math.floor(socket.timer.remainingS));
      census.timeWaitRemainingS[bucket] = (census.timeWaitRemainingS[bucket] ?? 0) + 1;
    }
  }
  return census;
}

/** Adds two censuses, for a side whose sockets live in two namespaces' samples. */
export function mergeTcpStateCensus(a: TcpStateCensus, b: TcpStateCensus): TcpStateCensus {
  const add = (x: Record<string, number>, y: Record<string, number>): Record<string, number> => {
    const sum = { ...x };
    for (const [key, value] of Object.entries(y)) sum[key] = (sum[key] ?? 0) + value;
    return sum;
  };
  return {
    client: add(a.client, b.client),
    server: add(a.server, b.server),
    timeWaitRemainingS: add(a.timeWaitRemainingS, b.timeWaitRemainingS),
  };
}
