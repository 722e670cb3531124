// test: system
// A loopback peer sends nothing beyond 127.0.0.0/8: every UDP datagram werift sends while two
// peers gather and connect is recorded at dgram's send (and every name werift looks
// up before sending), and its destination checked. werift 0.25.2 asked stun.l.google.com for a
// reflexive candidate even with `iceServers: []` (its ICE falls back to a built-in STUN server);
// patches/werift+0.25.2.patch removes that fallback, and this test fails without it.
import { strict as assert } from "node:assert";
import dgram from "node:dgram";
import dns from "node:dns";
import { test } from "node:test";
import { createLoopbackPeer, waitConnected } from "../../../src/lib/rtc/index.js";

test("two loopback peers connect without sending a datagram beyond 127.0.0.0/8", async () => {
  const destinations = new Map<string, number>();
  const send = dgram.Socket.prototype.send;
  // Node's send(msg[, offset, length][, port][, address][, callback]): the address is its one string argument.
  dgram.Socket.prototype.send = function (this: dgram.Socket, ...args: unknown[]) {
    const address = args.find((a): a is string => typeof a === "string") ?? this.remoteAddress?.().address ?? "?";
    destinations.set(address, (destinations.get(address) ?? 0) + 1);
    return (send as (...a: unknown[]) => void).apply(this, args);
  } as typeof send;
  const lookup = dns.promises.lookup;
  // werift's STUN transactions resolve a server's name with dns.promises.lookup before they send.
  dns.promises.lookup = ((host: string, ...rest: unknown[]) => {
    destinations.set(host, (destinations.get(host) ?? 0) + 1);
    return (lookup as (...a: unknown[]) => unknown)(host, ...rest);
  }) as typeof lookup;
  const offerer = createLoopbackPeer();
  const answerer = createLoopbackPeer();
  try {
    offerer.addTransceiver("audio", { direction: "recvonly" });
    await offerer.setLocalDescription(await offerer.createOffer());
    await answerer.setRemoteDescription(offerer.localDescription!);
    await answerer.setLocalDescription(await answerer.createAnswer());
    await offerer.setRemoteDescription(answerer.localDescription!);
    await Promise.all([waitConnected(offerer, 10_000), waitConnected(answerer, 10_000)]);
    // Reflexive gathering runs beside the checks; give a STUN request that would go out time to.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const types = offerer.iceTransports.flatMap((t) => t.connection.localCandidates.map((c) => c.type));
    assert.ok(!types.includes("srflx"), `reflexive candidates gathered: ${types.join(", ")}`);
  } finally {
    dgram.Socket.prototype.send = send;
    dns.promises.lookup = lookup;
    await Promise.all([offerer.close(), answerer.close()]);
  }
  const outside = [...destinations.keys()].filter((a) => !/^127\./.test(a));
  assert.deepEqual(outside, [], `datagrams sent beyond loopback: ${JSON.stringify(Object.fromEntries(destinations))}`);
  assert.ok((destinations.get("127.0.0.1") ?? 0) > 0, "the connectivity checks were seen going to 127.0.0.1");
});
