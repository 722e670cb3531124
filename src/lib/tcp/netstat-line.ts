import { splitEndpoint, type SsSocket } from "./ss-line.js";

/** Parses one `netstat -ant` socket line into the same shape ss gives (netstat shows no timers). */
export function parseNetstatLine(line: string): SsSocket | undefined {
  const fields = line.trim().split(/\s+/);
  if (!/^tcp6?$/.test(fields[0] ?? "") || fields.length < 6) return undefined;
  const local = splitEndpoint(fields[3]!);
  const peer = splitEndpoint(fields[4]!);
  return {
    state: fields[5]!.toUpperCase(),
    recvQ: Number(fields[1]),
    sendQ: Number(fields[2]),
    localAddress: local.address,
    localPort: local.port,
    peerAddress: peer.address,
    peerPort: peer.port,
  };
}
