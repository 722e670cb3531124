import { formatOffsetMs } from "./format-offset.js";
import type { Summary } from "./stats.js";

// The rows of the DESIGN.md §2 table, plus the answers when no single row fits.
export type ErrorKind = "in-sync" | "content-offset" | "schedule-offset" | "timestamp-offset" | "mixed" | "undetermined";

// The three methods side by side, as the report shows them.
export interface MethodSummaries {
  /** Content offset on the sender's clock (SR-mapped). */
  senderOffsetMs: Summary;
  /** Content offset at arrival. */
  arrivalOffsetMs: Summary;
  /** Transport relative delay. */
  relativeDelayMs: Summary;
}

// The verdict on where sync breaks, with the numbers it rests on.
export interface ErrorClassification {
  kind: ErrorKind;
  /** The injected-style N the readings point to; null unless one kind fits. */
  estimatedMs: number | null;
  /** The medians each method read, in the order of the DESIGN.md §2 table; null where a method had no data. */
  readingsMs: { sender: number | null; arrival: number | null; transport: number | null };
  explanation: string;
}

// How close to zero counts as zero, which depends on the measurement's noise.
export interface ClassifyOptions {
  /** Readings within ±deadBandMs count as zero, and a kind must fit every reading that closely. */
  deadBandMs?: number;
}

type Readings = [number | null, number | null, number | null];

// What each method reads per unit of error, from the DESIGN.md §2 table (sender, arrival, transport).
const PATTERNS: { kind: Exclude<ErrorKind, "in-sync" | "mixed" | "undetermined">; perMs: [number, number, number]; meaning: string }[] = [
  {
    kind: "content-offset",
    perMs: [1, 1, 0],
    meaning: "the markers are misaligned in the media itself; no receiver can correct it",
  },
  {
    kind: "schedule-offset",
    perMs: [0, 1, 1],
    meaning: "one stream is sent off its schedule while its timestamps stay honest; a receiver syncing on RTCP SRs can hide it if its buffer allows",
  },
  {
    kind: "timestamp-offset",
    perMs: [1, 0, -1],
    meaning: "one stream's timestamps lie about capture time; a receiver syncing on RTCP SRs introduces this error at playout",
  },
];

// Users need to know where sync breaks, not only by how much: match the three methods'
// medians (robust to a few bad markers) against the DESIGN.md §2 table. Since transport =
// arrival − sender for steady delays, two methods suffice; with fewer the kind is undetermined.
export function classifyError(summaries: MethodSummaries, opts: ClassifyOptions = {}): ErrorClassification {
  const deadBandMs = opts.deadBandMs ?? 5;
  const readings: Readings = [summaries.senderOffsetMs.p50, summaries.arrivalOffsetMs.p50, summaries.relativeDelayMs.p50];
  const readingsMs = { sender: readings[0], arrival: readings[1], transport: readings[2] };
  const seen = `sender clock ${formatOffsetMs(readings[0])}, arrival ${formatOffsetMs(readings[1])}, transport ${formatOffsetMs(readings[2])}`;
  const available = readings.filter((r): r is number => r !== null);

  if (available.length < 2) {
    return { kind: "undetermined", estimatedMs: null, readingsMs, explanation: `Fewer than two methods have data (${seen}); the kind of error cannot be told apart.` };
  }
  if (available.every((r) => Math.abs(r) <= deadBandMs)) {
    return { kind: "in-sync", estimatedMs: null, readingsMs, explanation: `All methods read within ±${deadBandMs} ms (${seen}).` };
  }
  const fits = PATTERNS.map((pattern) => ({ pattern, ...fitPattern(readings, pattern.perMs) }))
    .filter((fit) => fit.estimatedMs !== null && Math.abs(fit.estimatedMs) > deadBandMs && fit.worstMissMs <= deadBandMs)
    .sort((a, b) => a.worstMissMs - b.worstMissMs);
  const best = fits[0];
  if (!best || best.estimatedMs === null) {
    return {
      kind: "mixed",
      estimatedMs: null,
      readingsMs,
      explanation: `The readings (${seen}) fit no single kind of error within ±${deadBandMs} ms: several errors add up.`,
    };
  }
  return {
    kind: best.pattern.kind,
    estimatedMs: best.estimatedMs,
    readingsMs,
    explanation: `${capitalize(best.pattern.kind.replace("-", " "))} of ${formatOffsetMs(best.estimatedMs)} (${seen}): ${best.pattern.meaning}.`,
  };
}

// Least-squares N for readings ≈ N × pattern over the methods that have data, and how far the
// worst reading then misses.
function fitPattern(readings: Readings, perMs: [number, number, number]): { estimatedMs: number | null; worstMissMs: number } {
  let dot = 0;
  let norm = 0;
  readings.forEach((r, i) => {
    if (r === null) return;
    dot += r * perMs[i];
    norm += perMs[i] * perMs[i];
  });
  if (norm === 0) return { estimatedMs: null, worstMissMs: Infinity };
  const estimatedMs = dot / norm;
  const misses = readings.flatMap((r, i) => (r === null ? [] : [Math.abs(r - estimatedMs * perMs[i])]));
  return { estimatedMs, worstMissMs: Math.max(...misses) };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
