// A distribution that merges exactly: HdrHistogram (hdr-histogram-js) counts, kept in result.json
// compressed, so shards of one run can be pooled without their raw values (issue 15). An offset has a
// sign, an HDR histogram has none: negatives are kept as magnitudes in a histogram of their own.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";
import type { Summary } from "./stats.js";

/** A signed distribution as result.json carries it: HdrHistogram V2 compressed base64, values in µs. */
export interface EncodedSignedHistogram {
  unit: "us";
  /** Magnitudes of the negative values. */
  negative: string;
  /** Zero and the positive values. */
  positive: string;
}

// Four significant digits: a value is known to 0.01 % of itself (8 µs at 80 ms), read at the top of its bucket.
const significantDigits = 4;
const newHistogram = (): Histogram => build({ bitBucketSize: 32, numberOfSignificantValueDigits: significantDigits, autoResize: true, useWebAssembly: false });
const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/** Signed values (ms in, µs inside) recorded into two HDR histograms; add() pools another exactly. */
export class SignedHistogram {
  private constructor(
    private readonly negative: Histogram,
    private readonly positive: Histogram,
  ) {}

  static empty(): SignedHistogram {
    return new SignedHistogram(newHistogram(), newHistogram());
  }

  static ofMs(values: Iterable<number>): SignedHistogram {
    const h = SignedHistogram.empty();
    for (const v of values) h.recordMs(v);
    return h;
  }

  static decode(encoded: EncodedSignedHistogram): SignedHistogram {
    const side = (text: string): Histogram => {
      const h = newHistogram();
      if (text) h.add(decodeFromCompressedBase64(text, 32, false));
      return h;
    };
    return new SignedHistogram(side(encoded.negative), side(encoded.positive));
  }

  get count(): number {
    return this.negative.totalCount + this.positive.totalCount;
  }

  recordMs(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error(`cannot record ${ms} in a histogram`);
    const us = Math.round(ms * 1000);
    if (us < 0) this.negative.recordValue(-us);
    else this.positive.recordValue(us);
  }

  /** Adds another histogram's counts to this one: the histogram of the two pools' values together. */
  add(other: SignedHistogram): this {
    this.negative.add(other.negative);
    this.positive.add(other.positive);
    return this;
  }

  encode(): EncodedSignedHistogram {
    const side = (h: Histogram): string => (h.totalCount ? encodeIntoCompressedBase64(h) : "");
    return { unit: "us", negative: side(this.negative), positive: side(this.positive) };
  }

  /**
   * The value of rank ceil(p/100 · count) in ascending order (nearest rank, as HdrHistogram reads a
   * percentile), in ms; null when empty.
   */
  percentileMs(p: number): number | null {
    const n = this.count;
    if (n === 0) return null;
    const rank = Math.max(1, Math.ceil((Math.min(100, p) / 100) * n - 1e-9));
    const negatives = this.negative.totalCount;
    if (rank <= negatives) return -this.negative.getValueAtPercentile((100 * (negatives - rank + 1)) / negatives) / 1000;
    return this.positive.getValueAtPercentile((100 * (rank - negatives)) / this.positive.totalCount) / 1000;
  }

  /** The figures summarize() gives for raw values, from the counts (each to the histogram's 0.01 %). */
  summary(): Summary {
    const n = this.count;
    if (n === 0) return { count: 0, mean: null, min: null, max: null, p5: null, p50: null, p95: null, p99: null, maxAbs: null, stdev: null };
    const sides = [
      { h: this.negative, sign: -1 },
      { h: this.positive, sign: 1 },
    ].filter((s) => s.h.totalCount > 0);
    const sumUs = sides.reduce((sum, s) => sum + s.sign * s.h.mean * s.h.totalCount, 0);
    const squaresUs = sides.reduce((sum, s) => sum + s.h.totalCount * (s.h.stdDeviation ** 2 + s.h.mean ** 2), 0);
    const meanUs = sumUs / n;
    const min = this.percentileMs(0)!;
    const max = this.percentileMs(100)!;
    return {
      count: n,
      mean: round3(meanUs / 1000),
      min: round3(min),
      max: round3(max),
      p5: round3(this.percentileMs(5)!),
      p50: round3(this.percentileMs(50)!),
      p95: round3(this.percentileMs(95)!),
      p99: round3(this.percentileMs(99)!),
      maxAbs: round3(Math.max(Math.abs(min), Math.abs(max))),
      stdev: round3(Math.sqrt(Math.max(0, squaresUs / n - meanUs ** 2)) / 1000),
    };
  }
}
