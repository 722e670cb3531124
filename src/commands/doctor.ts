import { Flags } from "@oclif/core";
import { AvsyncCommand } from "../lib/cli/avsync-command.js";
import { runDoctor, type DoctorReport } from "../lib/doctor/index.js";
import { createRunFolder } from "../lib/run/index.js";
import { finishRun } from "../lib/report/index.js";

export default class Doctor extends AvsyncCommand {
  static summary = "Read this host's TCP settings and state, and say what is risky for a real-time signaling server, and how to measure it.";
  static description =
    "Reads the kernel version, the TIME_WAIT-related sysctls, /proc/net/sockstat, the kernel's TCP counters and `ss -s` — read-only, never writing to /proc/sys — and prints each risk with the correct fact behind it and the exact `avsync tw-storm` command that measures it on this kernel. Works without root and lists what it could not read.";
  static examples = ["<%= config.bin %> <%= command.id %>", "<%= config.bin %> <%= command.id %> --json"];
  static enableJsonFlag = true;
  static flags = {
    out: Flags.string({ description: "Also write the report as result.json and summary.md into this folder." }),
  };

  async run(): Promise<DoctorReport> {
    const { flags } = await this.parse(Doctor);
    const report = await runDoctor({ ...flags });
    const finished = await finishRun(report, { folder: flags.out ? createRunFolder("doctor", flags.out) : null });
    if (!this.jsonEnabled()) this.logToStderr(finished.terminal);
    return report;
  }
}
