import { EventEmitter } from "node:events";
import { Flags } from "@oclif/core";
import { AvsyncCommand } from "../lib/cli/avsync-command.js";
import { runBench, type BenchEvents, type BenchResult } from "../lib/bench/index.js";
import { exitCodes } from "../lib/cli/exit-codes.js";
import { abortOnInterrupt } from "../lib/cli/interrupt.js";
import { pusherConfigFromFlags } from "../lib/cli/pusher-config.js";
import { pusherFlags } from "../lib/cli/shared-flags.js";
import { createRunFolder, renderBenchSummary, writeResultJson } from "../lib/report/index.js";

export default class Bench extends AvsyncCommand {
  static summary = "Measure lip-sync offset and timestamp continuity of a WebRTC A/V stream.";
  static description = `Starts the embedded digital-human target on 127.0.0.1, receives its stream with avsync's probe over real WebRTC (ICE, DTLS, SRTP; Opus and VP8), finds every flash and beep in the decoded media and reports:
  - the content lip-sync offset per marker, on the sender's clock (RTCP SR mapping) and at arrival,
  - the transport relative delay (the method libwebrtc syncs on),
  - RTP timestamp continuity per stream (steps, gaps, jitter, drift) and the pusher's pacing.
Offsets are t(video) − t(audio): positive means audio leads. Results go to reports/bench-<time>/result.json (or --out).
Exit codes: 0 measured, 2 the run failed, 130 interrupted (partial result written).`;
  static examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --duration 30 --pusher seed",
    "<%= config.bin %> <%= command.id %> --content-offset-ms 80 --json",
    "<%= config.bin %> <%= command.id %> --drop-video-frames 30,31,32 --drop-audio-frames 100-104",
  ];
  static enableJsonFlag = true;
  static flags = {
    duration: Flags.string({ default: "10", description: "Seconds of media to push and measure (at most 3600)." }),
    ...pusherFlags,
    out: Flags.string({ description: "Folder to write result.json into; default reports/bench-<time>/." }),
    debug: Flags.boolean({ default: false, description: "Print stack traces of errors." }),
  };

  async run(): Promise<BenchResult> {
    const { flags } = await this.parse(Bench);
    let config;
    let durationS;
    try {
      durationS = Number(flags.duration);
      if (!Number.isFinite(durationS) || durationS <= 0 || durationS > 3600) {
        throw new Error(`Expected \`--duration\` to be a number of seconds between 0 and 3600, got \`${flags.duration}\`.`);
      }
      config = pusherConfigFromFlags(flags);
    } catch (error) {
      this.error((error as Error).message, { exit: exitCodes.runFailed });
    }
    const folder = createRunFolder("bench", flags.out);
    const interrupt = abortOnInterrupt();
    const quiet = this.jsonEnabled() || !process.stderr.isTTY;
    const events = new EventEmitter<BenchEvents>();
    if (!this.jsonEnabled()) events.on("phase", (phase) => this.logToStderr(`… ${phase}`));
    if (!quiet) {
      events.on("progress", (p) =>
        process.stderr.write(`\r  ${p.elapsedS.toFixed(0)}/${p.durationS} s  audio ${p.audioPackets} pkts  video ${p.videoPackets} pkts   `),
      );
    }
    const result = await runBench({ durationS, ...config, flags, signal: interrupt.signal }, events);
    interrupt.dispose();
    if (!quiet) process.stderr.write("\n");
    writeResultJson(folder, result);
    if (!this.jsonEnabled()) this.logToStderr(renderBenchSummary(result, folder));
    if (!result.complete) {
      const code = interrupt.signal.aborted ? exitCodes.interrupted : exitCodes.runFailed;
      if (this.jsonEnabled()) this.logJson(result);
      this.error(`${result.incompleteReason ?? "the run did not complete"} (partial result in ${folder}/result.json)`, { exit: code });
    }
    return result;
  }
}
