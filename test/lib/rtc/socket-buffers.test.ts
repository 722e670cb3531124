// test: system
// The probe's sockets get a receive buffer that outlasts a stalled loop, and what the kernel still
// drops there is counted from /proc/net/udp: checked against a socket made to overflow on purpose.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { enlargeReceiveBuffers, readSocketDrops, createLoopbackPeer } from "../../../src/lib/rtc/index.js";

test("every ICE socket of a gathered peer connection gets a receive buffer of 4 MiB (or the kernel's cap)", async () => {
  const pc = createLoopbackPeer();
  try {
    pc.addTransceiver("audio", { direction: "recvonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const ports = enlargeReceiveBuffers(pc);
    assert.ok(ports.length >= 1, "werift's ICE sockets were found (a werift upgrade that moves them fails here)");
    const capBytes = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));
    const sockets = (pc as unknown as { iceTransports: Array<{ connection: { protocols: Array<{ transport: { socket: import("node:dgram").Socket } }> } }> }).iceTransports
      .flatMap((t) => t.connection.protocols.map((p) => p.transport.socket));
    for (const socket of sockets) {
      // Linux doubles SO_RCVBUF for its bookkeeping and reports the doubled size.
      assert.ok(socket.getRecvBufferSize() >= 2 * Math.min(4 * 1024 * 1024, capBytes), `buffer ${socket.getRecvBufferSize()}`);
    }
  } finally {
    await pc.close();
  }
});

test("readSocketDrops counts what the kernel dropped at a full socket: sent − received", async () => {
  const socket = createSocket("udp4");
  let received = 0;
  socket.on("message", () => received++);
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  socket.setRecvBufferSize(4096);
  const port = socket.address().port;
  const sent = 500;
  // Another process sends while this loop is blocked, so the 4 KiB buffer overflows.
  const sender = `const s=require("node:dgram").createSocket("udp4");let n=0;const next=()=>{if(n++<${sent})s.send(Buffer.alloc(200),${port},"127.0.0.1",next);else s.close();};next();`;
  execFileSync(process.execPath, ["-e", sender]);
  await new Promise((resolve) => setTimeout(resolve, 200));
  const drops = readSocketDrops([port]);
  socket.close();
  assert.ok(drops > 0, `the 4 KiB buffer overflowed (${received} of ${sent} received)`);
  assert.equal(drops, sent - received);
});

test("readSocketDrops reads the drops column of /proc/net/udp and udp6 for the given ports only", () => {
  const udp = [
    "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
    " 6352: 0100007F:D631 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 650650 2 000000008bc90df0 17",
    " 8884: 0100007F:E015 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 650653 2 000000005d06e61c 5",
  ].join("\n");
  const read = (path: string): string => (path.endsWith("udp") ? udp : "");
  assert.equal(readSocketDrops([0xd631], read), 17);
  assert.equal(readSocketDrops([0xd631, 0xe015], read), 22);
  assert.equal(readSocketDrops([1234], read), 0);
});
