import { Flags } from "@oclif/core";
import { AvsyncCommand } from "../lib/cli/avsync-command.js";
import { exitCodes, createRunFolder } from "../lib/run/index.js";
import { finishRun } from "../lib/report/index.js";
import { runListenerRestartTest, type RestartTestResult } from "../lib/restart/index.js";

export default class RestartTest extends AvsyncCommand {
  static summary = "Restart a listener over its own server-side TIME_WAIT, for every SO_REUSEADDR / SO_REUSEPORT combination, and tabulate which rebinds work.";
  static description =
    "A listener accepts connections and closes them first (so the TIME_WAIT is the server's), is closed (or kept listening), and a new socket binds the same port at once. The socket options are set by a short program under /usr/bin/python3, because Node 20 cannot set SO_REUSEPORT on a listener and always sets SO_REUSEADDR; two more rows do the same restart with Node's own listeners. Runs inside a network namespace avsync creates (root), else on 127.0.0.1. Each row is checked against the kernel's bind rules.";
  static examples = ["<%= config.bin %> <%= command.id %>", "<%= config.bin %> <%= command.id %> --connections 100 --json"];
  static enableJsonFlag = true;
  static flags = {
    connections: Flags.integer({ default: 20, min: 1, max: 1000, description: "Connections each old listener accepts and closes first, leaving that many server-side TIME_WAIT sockets on its port." }),
    topology: Flags.option({ options: ["auto", "netns", "loopback"] as const, default: "auto" as const, description: "Where to run: a namespace of avsync's own (needs root), loopback, or auto (a namespace when allowed)." })(),
    out: Flags.string({ description: "Folder to write result.json and summary.md into (default reports/restart-test-<time>)." }),
  };

  async run(): Promise<RestartTestResult> {
    const { flags } = await this.parse(RestartTest);
    const result = await runListenerRestartTest({ connectionsPerCase: flags.connections, topology: flags.topology }).catch((error: Error) =>
      this.error(error.message, { exit: exitCodes.runFailed }),
    );
    const finished = await finishRun(result, { folder: createRunFolder("restart-test", flags.out) });
    if (!this.jsonEnabled()) this.logToStderr(finished.terminal);
    return result;
  }
}
