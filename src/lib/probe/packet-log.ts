import { closeSync, existsSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PacketSequence, RecordedPacket } from "./recording.js";

/**
 * What one recorded packet costs in memory: its fixed fields in typed-array columns (seq 2, RTP
 * timestamp 4, arrival 8, marker and payload type 1, payload place 4 + length 2 bytes). Its payload
 * lives in the session's spill file, not in memory.
 */
export const packetLogBytesPerPacket = 21;

// Columns grow a chunk at a time (never copied), so at most one chunk is allocated and not yet used.
const chunkPackets = 4096;
// Payload bytes are written out in blocks this large; a packet still in the block is read from memory.
const spillBlockBytes = 256 * 1024;

/**
 * Where recordings spill their payloads: `$TMPDIR`, else /var/tmp, which is on disk where /tmp may be
 * a tmpfs (Debian 13) and would keep the bytes in memory after all.
 */
export function spillDirectory(): string {
  if (process.env.TMPDIR) return process.env.TMPDIR;
  return existsSync("/var/tmp") ? "/var/tmp" : tmpdir();
}

// A spill file whose log became unreachable is closed with it: nobody else holds its descriptor.
const openSpills = new FinalizationRegistry<{ fd: number }>((file) => closeQuietly(file));

function closeQuietly(file: { fd: number }): void {
  if (file.fd < 0) return;
  try {
    closeSync(file.fd);
  } catch {
    // Already closed.
  }
  file.fd = -1;
}

/**
 * One session's payload bytes, appended to a file that is unlinked as soon as it is open: the
 * kernel removes it when the descriptor closes, so nothing is left behind, not even after kill -9.
 */
export class PayloadSpill {
  readonly #file: { fd: number };
  #block = Buffer.allocUnsafe(spillBlockBytes);
  #blockUsed = 0;
  // File position of the block's first byte: everything before it is on disk.
  #flushedBytes = 0;

  constructor(directory = spillDirectory()) {
    const path = join(directory, `avsync-recording-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`);
    const fd = openSync(path, "wx+", 0o600);
    unlinkSync(path);
    this.#file = { fd };
    openSpills.register(this, this.#file, this);
  }

  /** Bytes spilled so far (on disk or in the current block). */
  get bytes(): number {
    return this.#flushedBytes + this.#blockUsed;
  }

  /** Appends `payload` and returns where it starts. */
  append(payload: Uint8Array): number {
    const at = this.bytes;
    if (payload.length > this.#block.length - this.#blockUsed) this.#flush();
    if (payload.length > this.#block.length) {
      this.#write(payload);
    } else {
      this.#block.set(payload, this.#blockUsed);
      this.#blockUsed += payload.length;
    }
    return at;
  }

  /** The `length` bytes that start at `at`, as appended. */
  read(at: number, length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    if (at < this.#flushedBytes) {
      if (this.#file.fd < 0) throw new Error("the recording's payloads were released");
      while (done < length && at + done < this.#flushedBytes) {
        const n = readSync(this.#file.fd, out, done, Math.min(length, this.#flushedBytes - at) - done, at + done);
        if (n === 0) throw new Error(`the recording's spill file ends at ${at + done} bytes, before ${at + length}`);
        done += n;
      }
    }
    if (done < length) this.#block.copy(out, done, at + done - this.#flushedBytes, at + length - this.#flushedBytes);
    return out;
  }

  /** Closes the file (its bytes go with it); reads of spilled payloads fail after this. */
  release(): void {
    openSpills.unregister(this);
    closeQuietly(this.#file);
    this.#block = Buffer.alloc(0);
    this.#blockUsed = 0;
  }

  #flush(): void {
    if (this.#blockUsed === 0) return;
    this.#write(this.#block.subarray(0, this.#blockUsed));
    this.#blockUsed = 0;
  }

  #write(bytes: Uint8Array): void {
    if (this.#file.fd < 0) throw new Error("the recording's payloads were released");
    let done = 0;
    while (done < bytes.length) done += writeSync(this.#file.fd, bytes, done, bytes.length - done, this.#flushedBytes + done);
    this.#flushedBytes += bytes.length;
  }
}

interface Chunk {
  seq: Uint16Array;
  rtpTs: Uint32Array;
  arrivalMs: Float64Array;
  // Bit 7: the RTP marker; bits 0–6: the payload type.
  flags: Uint8Array;
  // Payload start, relative to the chunk's first payload (a chunk holds at most 4096 × 64 kB).
  payloadAt: Uint32Array;
  payloadBytes: Uint16Array;
  payloadBase: number;
}

/**
 * The packets of one stream as they arrive, stored compactly: fixed fields in typed-array columns
 * ({@link packetLogBytesPerPacket} bytes a packet), payloads in the session's {@link PayloadSpill}.
 * Reads hand out {@link RecordedPacket} views whose `payload` is read from the spill when asked for.
 */
export class PacketLog implements Iterable<RecordedPacket> {
  readonly #spill: PayloadSpill;
  // A released chunk is null: its packets were measured and let go (a segmented run, `--segment`).
  readonly #chunks: (Chunk | null)[] = [];
  #length = 0;
  #released = 0;

  constructor(spill: PayloadSpill) {
    this.#spill = spill;
  }

  get length(): number {
    return this.#length;
  }

  /** Records one packet; its payload is copied out at once (the caller's buffer may be reused). */
  push(seq: number, rtpTs: number, marker: boolean, arrivalMs: number, payloadType: number, payload: Uint8Array): void {
    const index = this.#length % chunkPackets;
    if (index === 0) this.#chunks.push(newChunk(this.#spill.bytes));
    const chunk = this.#chunks.at(-1)!;
    if (!chunk) throw new Error("the recording's newest packets were released");
    chunk.seq[index] = seq;
    chunk.rtpTs[index] = rtpTs;
    chunk.arrivalMs[index] = arrivalMs;
    chunk.flags[index] = (marker ? 0x80 : 0) | (payloadType & 0x7f);
    chunk.payloadAt[index] = this.#spill.append(payload) - chunk.payloadBase;
    chunk.payloadBytes[index] = payload.length;
    this.#length++;
  }

  /** The packet at `index` (negative counts from the end), as {@link Array.prototype.at}. */
  at(index: number): RecordedPacket | undefined {
    const i = index < 0 ? this.#length + index : index;
    if (!(i >= 0 && i < this.#length)) return undefined;
    const chunk = this.#chunks[Math.floor(i / chunkPackets)];
    if (!chunk) throw new Error(`packet ${i} of the recording was released (packets before ${this.#released} were)`);
    return new LoggedPacket(chunk, i % chunkPackets, this.#spill);
  }

  *[Symbol.iterator](): IterableIterator<RecordedPacket> {
    for (let i = 0; i < this.#length; i++) yield this.at(i)!;
  }

  /** Packets [from, to) as a sequence of their own, read from this log (nothing copied). */
  view(from: number, to = this.#length): PacketSequence {
    const start = Math.max(0, from);
    const end = Math.min(to, this.#length);
    const log = this;
    return {
      length: Math.max(0, end - start),
      at: (index: number) => {
        const i = index < 0 ? end - start + index : index;
        return i >= 0 && start + i < end ? log.at(start + i) : undefined;
      },
      *[Symbol.iterator]() {
        for (let i = start; i < end; i++) yield log.at(i)!;
      },
    };
  }

  /**
   * Lets go of the columns of every whole chunk of packets before `index`: a long run measures its
   * packets a segment at a time and keeps only what is not measured yet. Their payloads stay in the
   * spill file (on disk, removed with the session). Reading a released packet throws.
   */
  release(index: number): void {
    const whole = Math.min(Math.floor(index / chunkPackets), this.#chunks.length - 1);
    for (let k = 0; k < whole; k++) this.#chunks[k] = null;
    this.#released = Math.max(this.#released, whole * chunkPackets);
  }

  /** Packets whose columns are still held (not released). */
  get held(): number {
    return this.#length - this.#released;
  }
}

function newChunk(payloadBase: number): Chunk {
  return {
    seq: new Uint16Array(chunkPackets),
    rtpTs: new Uint32Array(chunkPackets),
    arrivalMs: new Float64Array(chunkPackets),
    flags: new Uint8Array(chunkPackets),
    payloadAt: new Uint32Array(chunkPackets),
    payloadBytes: new Uint16Array(chunkPackets),
    payloadBase,
  };
}

// A view of one logged packet: three fields of its own, every value read from the log's columns.
class LoggedPacket implements RecordedPacket {
  readonly #chunk: Chunk;
  readonly #index: number;
  readonly #spill: PayloadSpill;

  constructor(chunk: Chunk, index: number, spill: PayloadSpill) {
    this.#chunk = chunk;
    this.#index = index;
    this.#spill = spill;
  }

  get seq(): number {
    return this.#chunk.seq[this.#index]!;
  }
  get rtpTs(): number {
    return this.#chunk.rtpTs[this.#index]!;
  }
  get marker(): boolean {
    return (this.#chunk.flags[this.#index]! & 0x80) !== 0;
  }
  get arrivalMs(): number {
    return this.#chunk.arrivalMs[this.#index]!;
  }
  get payloadType(): number {
    return this.#chunk.flags[this.#index]! & 0x7f;
  }
  get payload(): Buffer {
    return this.#spill.read(this.#chunk.payloadBase + this.#chunk.payloadAt[this.#index]!, this.#chunk.payloadBytes[this.#index]!);
  }
}
