/**
 * How every long command shows where it is, one way: lines that stay (a phase, a matrix cell's state)
 * unless --json, and one status line redrawn in place only on a terminal — never under --json, never
 * in CI (`CI` set), never when stderr is a pipe or a file, so logs hold no carriage returns.
 */
export class Progress {
  private drawn = false;
  private readonly live: boolean;

  constructor(
    private readonly json: boolean,
    private readonly log: (line: string) => void,
    private readonly stderr: { isTTY?: boolean; write(text: string): unknown } = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.live = !json && stderr.isTTY === true && !env.CI;
  }

  /** A line that stays. */
  note(line: string): void {
    if (this.json) return;
    this.end();
    this.log(line);
  }

  /** The status line, redrawn in place. */
  status(line: string): void {
    if (!this.live) return;
    this.stderr.write(`\r\x1b[K${line}`);
    this.drawn = true;
  }

  /** Ends the status line, before anything else is printed. */
  end(): void {
    if (!this.drawn) return;
    this.stderr.write("\n");
    this.drawn = false;
  }
}
