// The video half of the common beep/flash sync-test clip, which carries no index: a flash is
// the first bright picture after a dark one (a flash held for several frames counts once).

/** Anything with a flash reading, in presentation order. */
export interface FlashReading {
  flash: boolean;
}

/** Keeps the pictures where a flash begins; a stream that starts mid-flash does not count its first one. */
export function findFlashOnsets<T extends FlashReading>(pictures: readonly T[]): T[] {
  const onsets: T[] = [];
  for (let i = 1; i < pictures.length; i++) {
    if (pictures[i]!.flash && !pictures[i - 1]!.flash) onsets.push(pictures[i]!);
  }
  return onsets;
}
