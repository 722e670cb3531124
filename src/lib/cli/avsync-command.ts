import { Command } from "@oclif/core";
import { maxTerminalLineChars, safeText } from "../text/index.js";
import { exitCodes } from "../run/index.js";

/**
 * The base of every avsync command: an error is one line on stderr that says what was wrong
 * (oclif would wrap it over several), its exit code comes from the one table in exit-codes.ts,
 * and a stack trace appears only with --debug.
 */
export abstract class AvsyncCommand extends Command {
  protected async catch(error: Error & { oclif?: { exit?: number }; exitCode?: number; code?: string }): Promise<unknown> {
    if (error.code === "EEXIT" || error.oclif?.exit === 0) return super.catch(error);
    if (this.argv.includes("--debug") && error.stack) process.stderr.write(`${error.stack.split("\n").map((line) => safeText(line)).join("\n")}\n`);
    // oclif wraps what a typed flag's parser threw ("Parsing --x \n\t<message>\nSee more help with --help"): the message is enough.
    const parsed = /^Parsing --[\w-]+ \n\t([\s\S]*)\nSee more help with --help$/.exec(error.message);
    const message = (parsed?.[1] ?? error.message).trim().replace(/\s*\n+\s*/g, ". ").replace(/\.\.\s/g, ". ");
    // The message may quote a target: one capped line, control characters made visible.
    process.stderr.write(`Error: ${safeText(message, maxTerminalLineChars)}\n`);
    this.exit(error.oclif?.exit ?? exitCodes.runFailed);
  }
}
