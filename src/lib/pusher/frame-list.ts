/** Parses a list of frame indexes such as `30,31,32` or `100-104,200` into sorted, distinct indexes. */
export function parseFrameList(text: string, flagName: string): number[] {
  const frames = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === "") return [];
  for (const part of trimmed.split(",")) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!match) {
      throw new Error(`Expected \`${flagName}\` to be frame indexes like \`30,31,32\` or \`100-104\`, got \`${text}\`.`);
    }
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last < first || last - first > 1_000_000) {
      throw new Error(`Expected \`${flagName}\` ranges to run low-high, got \`${part.trim()}\`.`);
    }
    for (let i = first; i <= last; i++) frames.add(i);
  }
  return [...frames].sort((a, b) => a - b);
}
