/** Every exit code avsync uses, in one place (the README's table is copied from here). */
export const exitCodes = {
  /** The run completed and measured; every gate check passed (or no gate was asked for). */
  ok: 0,
  /** The run completed, and at least one gate check failed. */
  gateFailed: 1,
  /** The run itself failed (bad input, target unreachable, signaling error …); a partial result may be written. */
  runFailed: 2,
  /** Interrupted by Ctrl-C or SIGTERM; what was measured is written, marked incomplete. */
  interrupted: 130,
} as const;
