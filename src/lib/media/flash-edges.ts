// The video half of the common beep/flash sync-test clip, which carries no index: a flash is a
// large jump in brightness over most of the picture that falls back within a few frames. Its
// time is its first frame. Any resolution and frame rate: only coarse cell means are compared.

/** A picture's coarse brightness map (PictureReader's cellLuma), in presentation order. */
export interface FlashReading {
  cellLuma: Float32Array;
}

/** What counts as a flash; the defaults fit every common sync clip (white over black or dark grey). */
export interface FlashRule {
  /** A cell must brighten (then darken again) by this many luma levels: a fifth of 16..235. */
  jumpLuma: number;
  /** … in at least this share of the picture's cells ("most of the picture"). */
  minCellShare: number;
  /** The flash is held at most this many frames; a longer bright spell is a scene change. */
  maxHeldFrames: number;
}

export const defaultFlashRule: FlashRule = Object.freeze({ jumpLuma: 45, minCellShare: 0.7, maxHeldFrames: 3 });

/** Keeps the pictures where a flash begins; a stream that starts or ends mid-flash does not count that one. */
export function findFlashOnsets<T extends FlashReading>(pictures: readonly T[], rule: FlashRule = defaultFlashRule): T[] {
  const onsets: T[] = [];
  for (let i = 1; i < pictures.length; i++) {
    if (!jumped(pictures[i - 1]!, pictures[i]!, rule)) continue;
    for (let held = 1; held <= rule.maxHeldFrames && i + held < pictures.length; held++) {
      if (jumped(pictures[i + held]!, pictures[i + held - 1]!, rule)) {
        onsets.push(pictures[i]!);
        i += held;
        break;
      }
    }
  }
  return onsets;
}

// True when `after` is brighter than `before` by the rule's jump in most cells.
function jumped(before: FlashReading, after: FlashReading, rule: FlashRule): boolean {
  const cells = Math.min(before.cellLuma.length, after.cellLuma.length);
  if (cells === 0) return false;
  let risen = 0;
  for (let c = 0; c < cells; c++) if (after.cellLuma[c]! - before.cellLuma[c]! >= rule.jumpLuma) risen++;
  return risen >= rule.minCellShare * cells;
}
