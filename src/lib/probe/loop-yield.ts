// Measuring runs on the probe's own thread. At the end of a run nothing else needs it, but a run
// measured as it goes (`bench --segment`) records while it measures: every packet's arrival is stamped
// on this thread, and media silent for --media-timeout by those stamps fails the session. Long loops
// therefore hand the thread back every few milliseconds (4 sessions' 20 s segments once held it 5.5 s).

/** A function to await in a long loop: it yields to the event loop once `budgetMs` have passed since it last did. */
export function loopYielder(budgetMs = 10): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < budgetMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    last = performance.now();
  };
}
