/** An offset as avsync prints it everywhere: sign, one decimal, unit (`+80.0 ms`), or `n/a` without one. */
export function formatOffsetMs(valueMs: number | null): string {
  if (valueMs === null) return "n/a";
  return `${valueMs >= 0 ? "+" : ""}${valueMs.toFixed(1)} ms`;
}
