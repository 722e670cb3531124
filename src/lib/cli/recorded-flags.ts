/**
 * The flags result.json keeps in meta.flags: only those its `config` does not already record, so
 * each value is stored once (config holds it parsed: numbers, sizes, frame lists, the signaling as
 * used, ICE servers by URL without credentials). What is left is how the run was asked to be judged
 * and written: --gate, --threshold, --baseline, --max-regression, --probe, --out, --json. Header
 * values and TURN passwords never reach a result: both flags are recorded in config without them.
 */
export function flagsForRecord(flags: Record<string, unknown>, recordedInConfig: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(flags).filter(([name]) => !(name in recordedInConfig)));
}
