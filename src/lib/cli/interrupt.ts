import { exitCodes } from "../run/index.js";

/** Ctrl-C / SIGTERM as a run sees them: an abort signal, and a switch to exit at once once there is nothing left to save. */
export interface Interrupt {
  signal: AbortSignal;
  /**
   * From now on an interrupt exits at once with 130 after writing `line` to stderr: for the last
   * phase of a run (its reports), when what was measured is already on disk.
   */
  exitAtOnce(line: string): void;
  dispose(): void;
}

/**
 * Turns the first Ctrl-C / SIGTERM into an abort signal so a run can stop and still write what it
 * measured; a second one exits at once.
 */
export function abortOnInterrupt(): Interrupt {
  const controller = new AbortController();
  let lastWords: string | null = null;
  const onSignal = (): void => {
    if (lastWords !== null) process.stderr.write(`${lastWords}\n`);
    if (controller.signal.aborted || lastWords !== null) process.exit(exitCodes.interrupted);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: controller.signal,
    exitAtOnce: (line) => {
      lastWords = line;
    },
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
