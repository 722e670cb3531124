// `avsync report --merge`: the shards of one run (`bench --shard i/N`, one per process, machine or
// Kubernetes pod) added into the result one process would have written (issue 15). Counters add, the
// pooled distributions add their HDR histograms exactly, sessions keep their global indices.
import type { BenchResult } from "./bench-result.js";
import { addPooled, aggregateSessions } from "./bench-sessions.js";
import { defaultRampPerS } from "./run-bench.js";

/** One shard's result and where it was read from. */
export interface ShardInput {
  source: string;
  result: BenchResult;
}

/**
 * Adds the shards of one run. Throws (one line) when they cannot belong to one run: not sharded, a
 * different shard count or total, the same shard twice. A missing shard or one that did not complete
 * makes the merge incomplete, named in incompleteReason; what the others measured is still added.
 */
export function mergeShards(inputs: readonly ShardInput[]): BenchResult {
  if (inputs.length === 0) throw new Error("Nothing to merge: give the shards' run folders or result.json files.");
  for (const { source, result } of inputs) {
    if (!result.shard) throw new Error(`\`${source}\` is not a shard (it was not run with --shard i/N), so it cannot be merged.`);
  }
  const sorted = [...inputs].sort((a, b) => a.result.shard!.index - b.result.shard!.index);
  const { count, sessions } = sorted[0]!.result.shard!;
  for (const { source, result } of sorted) {
    const shard = result.shard!;
    if (shard.count !== count || shard.sessions.total !== sessions.total) {
      throw new Error(`\`${source}\` is shard ${shard.index}/${shard.count} of ${shard.sessions.total} sessions, but \`${sorted[0]!.source}\` is one of ${count} shards of ${sessions.total}: not the same run.`);
    }
  }
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.result.shard!.index === sorted[i - 1]!.result.shard!.index) {
      throw new Error(`Shard ${sorted[i]!.result.shard!.index}/${count} is given twice: \`${sorted[i - 1]!.source}\` and \`${sorted[i]!.source}\`.`);
    }
  }
  const present = new Set(sorted.map((s) => s.result.shard!.index));
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !present.has(i));
  const failed = sorted.filter((s) => !s.result.complete);
  const reasons = [
    ...(missing.length ? [`shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} of ${count} ${missing.length > 1 ? "are" : "is"} missing`] : []),
    ...failed.map((s) => `shard ${s.result.shard!.index} (\`${s.source}\`) did not complete: ${s.result.incompleteReason ?? "interrupted"}`),
  ];

  const first = sorted[0]!.result;
  // `probe` is one session measured in full, as in a single run with --sessions: the first shard's.
  const withProbe = sorted.find((s) => s.result.probe !== null)?.result ?? first;
  const allSessions = sorted.flatMap((s) => s.result.sessions ?? []).sort((a, b) => a.index - b.index);
  const rampPerS = first.config.sessions?.rampPerS ?? defaultRampPerS;
  const pooledParts = sorted.flatMap((s) => (s.result.pooled ? [s.result.pooled] : []));
  const merged: BenchResult = {
    ...first,
    complete: reasons.length === 0,
    incompleteReason: reasons.length ? reasons.join("; ") : null,
    config: { ...first.config, sessions: { count: allSessions.length, rampPerS } },
    probe: withProbe.probe,
    pacing: withProbe.pacing,
    received: withProbe.received,
    sessions: allSessions,
    aggregate: aggregateSessions(allSessions, rampPerS),
    ...(pooledParts.length ? { pooled: addPooled(pooledParts) } : {}),
    ...(sorted.some((s) => s.result.segmented)
      ? {
          segmented: {
            segmentS: sorted.find((s) => s.result.segmented)!.result.segmented!.segmentS,
            segments: sorted.flatMap((s) => s.result.segmented?.segments ?? []).sort((a, b) => a.session - b.session || a.index - b.index),
            driftMsPerHour: sorted.flatMap((s) => s.result.segmented?.driftMsPerHour ?? []).sort((a, b) => a.session - b.session),
          },
        }
      : {}),
    ...(sorted.some((s) => s.result.live)
      ? {
          live: {
            atS: Math.max(...sorted.map((s) => s.result.live?.atS ?? 0)),
            sessions: sorted.flatMap((s) => s.result.live?.sessions ?? []).sort((a, b) => a.index - b.index),
          },
        }
      : {}),
    merge: {
      count,
      missing,
      shards: sorted.map(({ source, result }) => ({
        index: result.shard!.index,
        source,
        complete: result.complete,
        sessions: result.sessions?.length ?? 0,
        host: result.meta.hostname,
        startedAt: result.meta.startedAt,
      })),
    },
  };
  delete merged.shard;
  delete merged.browser;
  delete merged.talk;
  return merged;
}
