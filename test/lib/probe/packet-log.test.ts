// The probe's packet log (issue 16, item 5): every packet reads back as it was pushed, payloads stay
// out of memory, and the spill file is never visible on disk.
import assert from "node:assert/strict";
import { readdirSync, readlinkSync } from "node:fs";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { PacketLog, PayloadSpill, packetLogBytesPerPacket } from "../../../src/lib/probe/index.js";
import { tempDir } from "../../helpers/temp-dir.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

// A payload whose every byte says which packet it belongs to and where in it it sits.
function payloadOf(i: number): Buffer {
  const bytes = Buffer.alloc(20 + ((i * 37) % 1180));
  for (let k = 0; k < bytes.length; k++) bytes[k] = (i * 31 + k) & 0xff;
  return bytes;
}

// Collected until the figure settles: external buffers are freed a cycle after their owners.
async function held(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

describe("PacketLog", () => {
  // `bench --segment`: a measured segment's packets are read through a view and then let go.
  it("hands out a range as a sequence of its own, and lets go of whole chunks before a point", () => {
    const log = new PacketLog(new PayloadSpill(tempDir("packet-log-release")));
    for (let i = 0; i < 10_000; i++) log.push(i & 0xffff, i * 960, false, i * 20, 111, payloadOf(i));
    const view = log.view(5000, 6000);
    assert.equal(view.length, 1000);
    assert.equal(view.at(0)!.seq, 5000);
    assert.equal(view.at(-1)!.seq, 5999);
    assert.deepEqual([...view].map((p) => p.seq), Array.from({ length: 1000 }, (_, k) => 5000 + k));
    assert.deepEqual(view.at(10)!.payload, payloadOf(5010));
    log.release(9000);
    // Chunks hold 4,096 packets: the two whole ones before 9,000 go, the third stays.
    assert.equal(log.held, 10_000 - 8192);
    assert.throws(() => log.at(100), /packet 100 of the recording was released/);
    assert.equal(log.at(8192)!.seq, 8192);
    assert.deepEqual(log.view(9500).at(0)!.payload, payloadOf(9500));
    log.push(1, 2, true, 3, 111, payloadOf(1));
    assert.equal(log.length, 10_001);
    log.release(1_000_000);
    assert.equal(log.at(-1)!.seq, 1, "the newest chunk is never let go");
  });

  it("reads back every field and payload byte, across column chunks and spill blocks", () => {
    const dir = tempDir("packet-log");
    const log = new PacketLog(new PayloadSpill(dir));
    // 10,000 packets: three column chunks (4,096 each) and about 23 spill blocks of 256 kB.
    const count = 10_000;
    for (let i = 0; i < count; i++) log.push((60_000 + i) & 0xffff, (4_294_000_000 + i * 960) >>> 0, i % 3 === 0, 1000.25 + i * 0.5, 96 + (i % 2) * 15, payloadOf(i));
    assert.equal(log.length, count);
    let i = 0;
    for (const packet of log) {
      assert.equal(packet.seq, (60_000 + i) & 0xffff);
      assert.equal(packet.rtpTs, (4_294_000_000 + i * 960) >>> 0);
      assert.equal(packet.marker, i % 3 === 0);
      assert.equal(packet.arrivalMs, 1000.25 + i * 0.5);
      assert.equal(packet.payloadType, 96 + (i % 2) * 15);
      assert.ok(packet.payload.equals(payloadOf(i)), `payload of packet ${i}`);
      i++;
    }
    assert.equal(i, count);
    assert.equal(log.at(-1)!.seq, (60_000 + count - 1) & 0xffff);
    assert.equal(log.at(count), undefined);
    assert.equal(log.at(-count - 1), undefined);
  });

  it("a payload larger than a spill block reads back whole", () => {
    const log = new PacketLog(new PayloadSpill(tempDir("packet-log")));
    const big = Buffer.alloc(60_000, 7);
    log.push(1, 2, false, 3, 96, payloadOf(1));
    for (let i = 0; i < 6; i++) log.push(2 + i, 3, true, 4, 96, big);
    log.push(9, 4, false, 5, 96, payloadOf(2));
    assert.ok(log.at(0)!.payload.equals(payloadOf(1)));
    for (let i = 1; i <= 6; i++) assert.ok(log.at(i)!.payload.equals(big));
    assert.ok(log.at(-1)!.payload.equals(payloadOf(2)));
  });

  it("holds 21 bytes a packet in memory, whatever the payloads weigh; the spill file has no name", async () => {
    const dir = tempDir("packet-log");
    const spill = new PayloadSpill(dir);
    const log = new PacketLog(spill);
    const payload = Buffer.alloc(1100, 1);
    const before = await held();
    // 40,960 packets of 1,100 bytes: 45 MB of payloads, what 10 sessions of 320×180 bring in about 80 s.
    const count = 10 * 4096;
    for (let i = 0; i < count; i++) log.push(i & 0xffff, i * 3000, false, i, 96, payload);
    const grownBytes = (await held()) - before;
    console.log(`${count} packets, ${(spill.bytes / 1e6).toFixed(1)} MB of payloads: memory grew ${(grownBytes / 1e6).toFixed(2)} MB (${(grownBytes / count).toFixed(1)} bytes a packet)`);
    assert.equal(spill.bytes, count * payload.length);
    // Measured 42.8 bytes a packet (the columns' 21 and the heap's own bookkeeping, 3 runs alike); an
    // array of packets kept each payload, 1,100 bytes and more. 100 leaves room for another V8.
    assert.ok(grownBytes < count * 100, `memory grew ${grownBytes} bytes for ${count} packets (${packetLogBytesPerPacket} a packet in the columns)`);
    assert.deepEqual(readdirSync(dir), [], "the spill file is unlinked as soon as it is open");
    const spilled = readdirSync("/proc/self/fd").map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ""; } });
    assert.ok(spilled.some((target) => target.startsWith(dir) && target.endsWith("(deleted)")), "the spill is an open, deleted file");
    spill.release();
    assert.throws(() => log.at(0)!.payload, /released/);
  });
});
