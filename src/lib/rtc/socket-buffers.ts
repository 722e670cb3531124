import { readFileSync } from "node:fs";
import type { Socket } from "node:dgram";
import type { RTCPeerConnection } from "werift";

// 4 MiB: a probe stalled for a second still holds every packet of a 1080p stream; the kernel caps
// it at net.core.rmem_max (never raised by avsync).
const receiveBufferBytes = 4 * 1024 * 1024;

// werift keeps each ICE socket at iceTransports[].connection.protocols[].transport.socket (0.25); a
// test checks the walk still finds them, so an upgrade that moves them fails loudly.
function iceSockets(pc: RTCPeerConnection): Socket[] {
  const sockets: Socket[] = [];
  for (const ice of (pc as unknown as { iceTransports?: Array<{ connection?: { protocols?: Array<{ transport?: { socket?: unknown } }> } }> }).iceTransports ?? []) {
    for (const protocol of ice.connection?.protocols ?? []) {
      const socket = protocol.transport?.socket as Socket | undefined;
      if (socket && typeof socket.setRecvBufferSize === "function") sockets.push(socket);
    }
  }
  return sockets;
}

/**
 * Gives every UDP socket of a gathered peer connection a receive buffer that outlasts a stalled
 * event loop: with the default 208 KiB a loop stall on a busy machine overflowed it and the kernel
 * dropped DTLS handshakes (sessions that never connected) and media (loss that was not the network's).
 * Returns the sockets' local ports, whose drops `readSocketDrops` can count later.
 */
export function enlargeReceiveBuffers(pc: RTCPeerConnection): number[] {
  const ports: number[] = [];
  for (const socket of iceSockets(pc)) {
    try {
      socket.setRecvBufferSize(receiveBufferBytes);
      ports.push(socket.address().port);
    } catch {
      // A socket closed meanwhile has nothing left to receive.
    }
  }
  return ports;
}

/** Datagrams the kernel dropped because these local UDP ports' receive buffers were full (/proc/net/udp, `drops`). */
export function readSocketDrops(ports: readonly number[], read: (path: string) => string = (path) => readFileSync(path, "utf8")): number {
  const wanted = new Set(ports);
  let drops = 0;
  for (const path of ["/proc/net/udp", "/proc/net/udp6"]) {
    let text: string;
    try {
      text = read(path);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 13) continue;
      const port = Number.parseInt(fields[1]!.split(":")[1]!, 16);
      if (wanted.has(port)) drops += Number(fields[12]);
    }
  }
  return drops;
}
