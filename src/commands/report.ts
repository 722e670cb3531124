import { Args, Flags } from "@oclif/core";
import { AvsyncCommand } from "../lib/cli/avsync-command.js";
import { exitCodes } from "../lib/run/index.js";
import { gateFlags, gateOptionsFromFlags } from "../lib/cli/gate-flags.js";
import { compareFromFiles, gateFailureMessage, mergeFromFiles, renderGateSummary, reportFromFile, type GateOptions, type ReportSummary } from "../lib/report/index.js";

export default class Report extends AvsyncCommand {
  static summary = "Re-render a run's reports from its result.json, or compare two runs side by side.";
  static description = `Validates result.json against its versioned schema (schema/*.schema.json), then writes report.html, summary.md, the PNG charts and, when gated, junit.xml — from the file alone. Results of tw-storm --matrix, restart-test and doctor are validated too and get their summary.md only (no charts, no gate).
Without gate flags a run is gated as it was when it ran (the flags it recorded); with --gate, --threshold or --baseline those replace it.
With --merge, adds the shards of one run (\`bench --shard i/N\`: run folders or result.json files, any number) into one result.json in --out (default reports/merge-<time>/) with one report and one gate verdict: sessions and counters add, the pooled offset and join-time distributions add their HDR histograms exactly; a missing shard or one that did not complete is named and makes the merged run incomplete (docs/sharding.md).
With --compare, renders base and head side by side with the delta of every headline figure (report.html and summary.md in --out); --max-regression (or any gate flag) turns regressions into a failing gate.
Exit codes: 0 rendered and every gate check passed, 1 a gate check failed, 2 the file is unreadable or invalid, or the run it holds did not complete.`;
  static examples = [
    "<%= config.bin %> <%= command.id %> reports/bench-2025-01-01T10-00-00-000Z",
    "<%= config.bin %> <%= command.id %> run/result.json --gate itu-detect --threshold 'offset.content.p95 < 45'",
    "<%= config.bin %> <%= command.id %> --compare reports/main reports/pr-123 --out reports/compare",
    "<%= config.bin %> <%= command.id %> --compare base/result.json head/result.json --max-regression 5%",
    "<%= config.bin %> <%= command.id %> --merge /shared/shard-0 /shared/shard-1 /shared/shard-2 /shared/shard-3 --out /shared/merged --gate itu-detect",
  ];
  // --merge takes any number of shards.
  static strict = false;
  static enableJsonFlag = true;
  static args = {
    run: Args.string({ required: true, description: "A run folder or its result.json (with --compare: the base run)." }),
    head: Args.string({ description: "With --compare: the head run folder or result.json." }),
  };
  static flags = {
    compare: Flags.boolean({ default: false, description: "Compare two runs: the first argument is the base, the second the head." }),
    merge: Flags.boolean({ default: false, exclusive: ["compare"], description: "Add the shards of one run (every argument is one: a run folder or its result.json) into one result, report and gate verdict." }),
    ...gateFlags,
    out: Flags.string({ description: "Folder to write the reports into; default the run's own folder (with --compare: reports/compare-<time>/)." }),
    debug: Flags.boolean({ default: false, description: "Print stack traces of errors." }),
  };

  async run(): Promise<ReportSummary> {
    const { args, argv, flags } = await this.parse(Report);
    const gate = gateOptionsFromFlags(flags);
    if (flags.merge) return this.merge(argv.map(String), { ...gate, out: flags.out });
    if (argv.length > 2) this.error(`Got ${argv.length} runs; only --merge takes more than two.`, { exit: exitCodes.runFailed });
    if (flags.compare !== Boolean(args.head)) {
      this.error(flags.compare ? "`--compare` needs two runs: `avsync report --compare <base> <head>`." : `Got a second run \`${args.head}\` without --compare.`, {
        exit: exitCodes.runFailed,
      });
    }
    let summary: ReportSummary;
    try {
      summary = flags.compare
        ? await compareFromFiles(args.run, args.head!, { ...gate, out: flags.out ?? `reports/compare-${new Date().toISOString().replace(/[:.]/g, "-")}` })
        : await reportFromFile(args.run, { ...gate, out: flags.out });
    } catch (error) {
      this.error((error as Error).message, { exit: exitCodes.runFailed });
    }
    if (!this.jsonEnabled()) {
      if (summary.deltas) {
        const regressed = summary.deltas.filter((d) => d.status === "regressed");
        this.logToStderr(regressed.length ? `Regressed: ${regressed.map((d) => `${d.name} ${d.base?.toFixed(2)} → ${d.head?.toFixed(2)} ${d.unit}`).join(", ")}` : "No regression in the headline figures.");
      }
      if (summary.gate) this.logToStderr(renderGateSummary(summary.gate));
      const html = summary.files.find((f) => f.endsWith("report.html"));
      this.logToStderr(html ? `Report: ${html}` : `Summary: ${summary.files.join(", ")} (this kind of result has no report.html or charts)`);
    }
    if (summary.exitCode !== exitCodes.ok) {
      if (this.jsonEnabled()) this.logJson(summary);
      this.error(summary.gate && !summary.gate.pass ? gateFailureMessage(summary.gate, summary.folder) : `The run in \`${args.head ?? args.run}\` did not complete.`, {
        exit: summary.exitCode,
      });
    }
    return summary;
  }

  private async merge(paths: string[], options: GateOptions & { out?: string }): Promise<ReportSummary> {
    let merged: Awaited<ReturnType<typeof mergeFromFiles>>;
    try {
      merged = await mergeFromFiles(paths, { ...options, out: options.out ?? `reports/merge-${new Date().toISOString().replace(/[:.]/g, "-")}` });
    } catch (error) {
      this.error((error as Error).message, { exit: exitCodes.runFailed });
    }
    const { incompleteReason, ...summary } = merged;
    if (!this.jsonEnabled()) {
      if (summary.gate) this.logToStderr(renderGateSummary(summary.gate));
      this.logToStderr(`Merged ${paths.length} shard${paths.length === 1 ? "" : "s"}: ${summary.folder}/result.json, ${summary.folder}/report.html`);
    }
    if (summary.exitCode !== exitCodes.ok) {
      if (this.jsonEnabled()) this.logJson(summary);
      this.error(incompleteReason === null && summary.gate ? gateFailureMessage(summary.gate, summary.folder) : `The merged run is incomplete: ${incompleteReason} (merged result in ${summary.folder}/result.json)`, {
        exit: summary.exitCode,
      });
    }
    return summary;
  }
}
