import { EventEmitter } from "node:events";
import { Flags } from "@oclif/core";
import { AvsyncCommand } from "../lib/cli/avsync-command.js";
import { exitCodes, createRunFolder } from "../lib/run/index.js";
import { Progress } from "../lib/cli/progress.js";
import { abortOnInterrupt } from "../lib/cli/interrupt.js";
import { removeLeftoverNamespaces } from "../lib/netns/index.js";
import { maxMatrixCells, parseMatrixAxis, runSysctlMatrix, type SysctlMatrixEvents, type SysctlMatrixResult } from "../lib/matrix/index.js";
import { gateFlags, gateOptionsFromFlags } from "../lib/cli/gate-flags.js";
import { finishRun, formatTwStormProgress, gateFailureMessage, prepareGate } from "../lib/report/index.js";
import { runTwStorm, type TwStormEvents, type TwStormResult } from "../lib/storm/index.js";
import { twStormFlags, twStormOptionsFromFlags } from "../lib/cli/tw-storm-flags.js";

export default class TwStorm extends AvsyncCommand {
  static summary = "Generate a bounded reconnect storm and record, second by second, where TIME_WAIT piles up and when ports run out.";
  static description =
    "Runs connect → (messages) → close cycles at a rate against an embedded ws (or HTTP) server, by default between two network namespaces avsync creates and removes (client and server on a veth pair of their own), so the host's sysctls are never touched and loopback's tcp_tw_reuse=2 does not hide port exhaustion. Samples /proc/net/sockstat at 10 Hz, ss once a second, and the kernel counters, through the storm and the 60 s drain after it, and writes result.json.";
  static examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --close server-terminate --rate 1000 --cycles 2000",
    "<%= config.bin %> <%= command.id %> --cycles 2500 --rate 400 --sysctl 'client:net.ipv4.ip_local_port_range=60000 60999' --sysctl client:net.ipv4.tcp_tw_reuse=0",
    "<%= config.bin %> <%= command.id %> --protocol http --rate 500 --duration 5",
    "<%= config.bin %> <%= command.id %> --cleanup",
    "<%= config.bin %> <%= command.id %> --matrix net.ipv4.tcp_tw_reuse=0,1,2 --sysctl 'net.ipv4.ip_local_port_range=60000 60999' --cycles 2500 --rate 400 --drain 0",
    "<%= config.bin %> <%= command.id %> --matrix net.ipv4.tcp_fin_timeout=5,60 --cycles 300 --rate 300",
  ];
  static enableJsonFlag = true;
  static flags = {
    ...twStormFlags,
  out: Flags.string({ description: "Folder to write result.json into (default reports/tw-storm-<time>)." }),
    matrix: Flags.string({ multiple: true, description: "Run the same storm once per combination of these sysctl values, as key=v1,v2 (repeatable), each cell in fresh namespaces with the values set inside them, and compare the cells. Needs root." }),
    "matrix-parallel": Flags.integer({ default: 4, min: 1, max: maxMatrixCells, description: "Matrix cells run at once (each in its own namespace pair); 1 runs them one after another, for latency comparisons." }),
    threshold: gateFlags.threshold,
    baseline: gateFlags.baseline,
    "max-regression": gateFlags["max-regression"],
    cleanup: Flags.boolean({ default: false, description: "Remove namespaces left behind by avsync runs that no longer exist, then exit." }),
  };

  async run(): Promise<TwStormResult | SysctlMatrixResult | { removed: string[] }> {
    const { flags } = await this.parse(TwStorm);
    if (flags.cleanup) {
      const removed = await removeLeftoverNamespaces({ onlyOrphans: true });
      if (!this.jsonEnabled()) this.logToStderr(removed.length ? `removed: ${removed.join(", ")}` : "nothing to remove");
      return { removed };
    }
    let options;
    let axes;
    let gateSpec;
    try {
      options = twStormOptionsFromFlags(flags);
      axes = flags.matrix?.map(parseMatrixAxis);
      if (axes && options.topology === "loopback") throw new Error("Expected no `--matrix` with a loopback storm: each cell needs namespaces of its own (root), and avsync never changes the host's sysctls.");
      const gateFlagsGiven = ["threshold", "baseline", "max-regression"].filter((name) => flags[name as "threshold" | "baseline" | "max-regression"] !== undefined);
      if (axes && gateFlagsGiven.length > 0) {
        throw new Error(
          `${gateFlagsGiven.map((name) => `\`--${name}\``).join(", ")} gate${gateFlagsGiven.length === 1 ? "s" : ""} one storm's result; a --matrix run compares its cells and has none to gate. Run the cell to gate as its own tw-storm (with its --sysctl values).`,
        );
      }
      gateSpec = prepareGate(gateOptionsFromFlags(flags), "tw-storm");
    } catch (error) {
      this.error((error as Error).message, { exit: exitCodes.runFailed });
    }
    if (axes) return this.runMatrix(options, axes, flags["matrix-parallel"], flags.out);
    const interrupt = abortOnInterrupt();
    const progress = new Progress(this.jsonEnabled(), (line) => this.logToStderr(line));
    const events = new EventEmitter<TwStormEvents>();
    events.on("progress", (p) => progress.status(formatTwStormProgress(p)));
    events.on("phase", (phase) => phase === "teardown" && progress.end());
    const folder = createRunFolder("tw-storm", flags.out);
    try {
      const result = await runTwStorm({ ...options, signal: interrupt.signal }, events).catch((error: Error) =>
        this.error(error.message, { exit: exitCodes.runFailed }),
      );
      progress.end();
      const finished = await finishRun(result, { folder, gateSpec, interrupted: interrupt.signal.aborted });
      if (!this.jsonEnabled()) this.logToStderr(finished.terminal);
      if (finished.exitCode !== exitCodes.ok) {
        if (this.jsonEnabled()) this.logJson(result);
        if (interrupt.signal.aborted) this.error(`interrupted; what was measured is in ${folder}/result.json (complete: false)`, { exit: finished.exitCode });
        this.error(finished.gate && !finished.gate.pass ? gateFailureMessage(finished.gate, folder) : `the storm did not complete (${folder}/result.json)`, { exit: finished.exitCode });
      }
      return result;
    } finally {
      interrupt.dispose();
    }
  }

  private async runMatrix(options: ReturnType<typeof twStormOptionsFromFlags>, axes: ReturnType<typeof parseMatrixAxis>[], parallel: number, out: string | undefined): Promise<SysctlMatrixResult> {
    if (process.getuid?.() !== 0) this.error("`--matrix` needs root: every cell runs in network namespaces avsync creates, and avsync never changes the host's sysctls.", { exit: exitCodes.runFailed });
    const interrupt = abortOnInterrupt();
    const progress = new Progress(this.jsonEnabled(), (line) => this.logToStderr(line));
    const events = new EventEmitter<SysctlMatrixEvents>();
    events.on("cell", (label, state) => progress.note(`cell ${label}: ${state}`));
    const folder = createRunFolder("tw-storm-matrix", out);
    try {
      const result = await runSysctlMatrix({ ...options, signal: interrupt.signal }, axes, parallel, events).catch((error: Error) => this.error(error.message, { exit: exitCodes.runFailed }));
      const finished = await finishRun(result, { folder, interrupted: interrupt.signal.aborted });
      if (!this.jsonEnabled()) this.logToStderr(finished.terminal);
      if (interrupt.signal.aborted) this.error(`interrupted; what was measured is in ${folder}/result.json (complete: false)`, { exit: exitCodes.interrupted });
      return result;
    } finally {
      interrupt.dispose();
    }
  }
}
