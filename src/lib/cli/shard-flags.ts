import { Flags } from "@oclif/core";

// Flags that spread one run's sessions over processes or machines (issue 15; docs/sharding.md).
export const shardFlags = {
  shard: Flags.string({
    description:
      "Run slice i of N of --sessions (contiguous global indices, e.g. `1/4` runs sessions 2–3 of 8) and record the shard in result.json, for `avsync report --merge`. Without it, Kubernetes' Indexed Job variables JOB_COMPLETION_INDEX and JOB_COMPLETIONS set it.",
  }),
  "start-at": Flags.string({
    description:
      "Start the sessions at this time (ISO 8601, e.g. 2026-12-06T21:30:00Z), each at its place on the whole run's --ramp, so shards started apart begin together. At most 24 h ahead; a time already past starts at once.",
  }),
};

// A pod scheduled late must not wait a day; a typo must not either.
const maxWaitMs = 24 * 3600_000;

/** --shard (or the Indexed Job's environment) and --start-at, checked against --sessions; throws one line on bad input. */
export function shardFromFlags(
  flags: { shard?: string; "start-at"?: string },
  sessions: number,
  env: NodeJS.ProcessEnv = process.env,
  nowMs = Date.now(),
): { shard?: { index: number; count: number }; startAtUnixMs?: number } {
  const out: { shard?: { index: number; count: number }; startAtUnixMs?: number } = {};
  let spec = flags.shard;
  let from = "`--shard`";
  if (spec === undefined && env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.JOB_COMPLETIONS === undefined) throw new Error("JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not: give `--shard i/N`.");
    spec = `${env.JOB_COMPLETION_INDEX}/${env.JOB_COMPLETIONS}`;
    from = "JOB_COMPLETION_INDEX/JOB_COMPLETIONS";
  }
  if (spec !== undefined) {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
    const index = match ? Number(match[1]) : NaN;
    const count = match ? Number(match[2]) : NaN;
    if (!match || !(count >= 1) || !(index < count)) throw new Error(`Expected ${from} to be \`i/N\` with 0 ≤ i < N (shards count from 0), got \`${spec}\`.`);
    if (sessions < count) throw new Error(`--sessions ${sessions} cannot be split into ${count} shards: every shard needs at least one session.`);
    out.shard = { index, count };
  }
  const startAt = flags["start-at"];
  if (startAt !== undefined) {
    const ms = /^\d{4}-\d\d-\d\dT/.test(startAt) ? Date.parse(startAt) : NaN;
    if (!Number.isFinite(ms)) throw new Error(`Expected \`--start-at\` to be an ISO 8601 time such as 2026-12-06T21:30:00Z, got \`${startAt}\`.`);
    if (ms - nowMs > maxWaitMs) throw new Error(`\`--start-at ${startAt}\` is more than 24 h ahead.`);
    out.startAtUnixMs = ms;
  }
  return out;
}
