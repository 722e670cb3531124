// Columns grow a chunk at a time (never copied): at 50 audio frames a second, one chunk is 80 s.
const chunkEntries = 4096;

/**
 * Every sent frame's lateness, kept compactly while the pusher runs: 12 bytes a frame in typed-array
 * columns, where an array of [index, ms] pairs took 72 (a 10-session, 10-minute run grew by 35 MB).
 * The report turns it back into pairs once, at the end.
 */
export class LatenessLog {
  readonly #indexes: Uint32Array[] = [];
  readonly #latenessMs: Float64Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** Records that content frame `index` left `latenessMs` after its scheduled time. */
  push(index: number, latenessMs: number): void {
    const at = this.#length % chunkEntries;
    if (at === 0) {
      this.#indexes.push(new Uint32Array(chunkEntries));
      this.#latenessMs.push(new Float64Array(chunkEntries));
    }
    this.#indexes.at(-1)![at] = index;
    this.#latenessMs.at(-1)![at] = latenessMs;
    this.#length++;
  }

  /** Every entry as [content frame index, lateness in ms], in the order they were sent. */
  toPairs(): Array<[number, number]> {
    const pairs: Array<[number, number]> = new Array(this.#length);
    for (let i = 0; i < this.#length; i++) {
      const chunk = Math.floor(i / chunkEntries);
      pairs[i] = [this.#indexes[chunk]![i % chunkEntries]!, this.#latenessMs[chunk]![i % chunkEntries]!];
    }
    return pairs;
  }
}
