import assert from "node:assert/strict";
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { heapFigures } from "../../../src/lib/run/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
// The observer hears of a collection after it, on a later turn of the loop. Buffers a collection
// finds dead are freed on a background thread after it: the next one reads them gone.
const collect = async (): Promise<void> => {
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

test("heapFigures reads what a major collection leaves: 400,000 objects and 64 MB of Buffers held show in it, and go when let go", async () => {
  assert.equal(heapFigures().liveBytes, null, "nothing is known before the first major collection");
  await collect();
  const before = heapFigures();
  assert.ok(before.majorCollections >= 1);
  let objects: Array<{ i: number; s: string }> | null = Array.from({ length: 400_000 }, (_, i) => ({ i, s: `x${i}` }));
  let buffers: Buffer[] | null = Array.from({ length: 64 }, () => Buffer.alloc(2 ** 20, 1));
  await collect();
  const holding = heapFigures();
  const grewMb = (holding.liveBytes! - before.liveBytes!) / 2 ** 20;
  // 64 MiB of Buffers outside the heap, and 400,000 objects of two fields and a short string: 16–40 MB of heap whatever V8's layout.
  assert.ok(grewMb > 64 + 16 && grewMb < 64 + 48, `live memory grew ${grewMb.toFixed(1)} MB holding 400,000 objects and 64 MiB of Buffers`);
  assert.ok(holding.externalBytes >= 64 * 2 ** 20);
  assert.ok(holding.heapBytes + holding.externalBytes >= holding.liveBytes! - 2 ** 20);
  assert.equal(objects.length + buffers.length, 400_064);
  buffers = null;
  objects = null;
  await collect();
  const after = heapFigures();
  assert.ok(after.majorCollections > holding.majorCollections);
  assert.ok(Math.abs(after.liveBytes! - before.liveBytes!) < 4 * 2 ** 20, `live heap ${after.liveBytes} after letting go, ${before.liveBytes} before`);
});
