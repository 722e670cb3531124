import { EventEmitter } from "node:events";
import { Flags } from "@oclif/core";
import { AvsyncCommand } from "../lib/cli/avsync-command.js";
import { runBench, type BenchEvents, type BenchResult } from "../lib/bench/index.js";
import { exitCodes, createRunFolder, writeResultJson } from "../lib/run/index.js";
import { abortOnInterrupt } from "../lib/cli/interrupt.js";
import { gateFlags, gateOptionsFromFlags } from "../lib/cli/gate-flags.js";
import { pusherConfigFromFlags } from "../lib/cli/pusher-config.js";
import { pusherFlags } from "../lib/cli/shared-flags.js";
import { targetConfigFromFlags, targetFlags } from "../lib/cli/target-flags.js";
import { talkConfigFromFlags, talkFlags } from "../lib/cli/talk-flags.js";
import { shardFlags, shardFromFlags } from "../lib/cli/shard-flags.js";
import { flagsForRecord } from "../lib/cli/recorded-flags.js";
import { parseProbeKinds, removeStaleChromiumProfiles } from "../lib/browser/index.js";
import { externalRate, patternRate, recordingOverBudget } from "../lib/probe/index.js";
import { finishRun, gateFailureMessage, prepareGate } from "../lib/report/index.js";
import { Progress } from "../lib/cli/progress.js";
import { parseMetricsListen } from "../lib/bench/index.js";
import { isLoopbackHost } from "../lib/rtc/index.js";

const defaultDurationS = 10;
// One second carries a marker (the pattern's first sits 0.5 s in), 50 audio packets and 30 frames.
const minDurationS = 1;
// Chromium changes its A/V sync at most once a second in ~16 ms steps and settled after 15–35 s in
// the runs of docs/browser-probe.md; 45 s leaves a steady stretch to measure.
const defaultBrowserDurationS = 45;
// A run measured at the end keeps every packet's record until then; with --segment it keeps one segment.
const maxDurationS = 3600;
const maxSegmentedDurationS = 86_400;

export default class Bench extends AvsyncCommand {
  static summary = "Measure lip-sync offset and timestamp continuity of a WebRTC A/V stream.";
  static description = `Starts the embedded digital-human target on 127.0.0.1, receives its stream with avsync's probe over real WebRTC (ICE, DTLS, SRTP; Opus and VP8, or H.264, VP9, AV1 with --video-codec), finds every flash and beep in the decoded media and reports:
  - the content lip-sync offset per marker, on the sender's clock (RTCP SR mapping) and at arrival,
  - the transport relative delay (the method libwebrtc syncs on),
  - RTP timestamp continuity per stream (steps, gaps, jitter, drift) and the pusher's pacing.
With --target it probes your own server instead (WebSocket JSON, POST /offer or WHEP; --push publishes through a relay with WHIP), decodes VP8, H.264, VP9 or AV1 at any resolution, reads avsync's pattern or the common beep/flash clip, and measures what needs no markers (transport offset, continuity, named anomalies) for any content; --sessions opens many viewers. See docs/targets.md.
Offsets are t(video) − t(audio): positive means audio leads. The run folder (reports/bench-<time>/ or --out) gets result.json, report.html, summary.md, one PNG per chart and, when gated, junit.xml.
--talk measures a talking head without markers: it says sentences to it (a templated HTTP request per utterance, or in-band on the probe's microphone), reads the lip-sync offset per utterance from the decoded face and voice, and times each answer; without --target it runs against avsync's reference talking head (docs/talking-head.md).
--shard i/N runs one slice of --sessions (from Kubernetes' JOB_COMPLETION_INDEX/JOB_COMPLETIONS when not given), --start-at starts the slices together, and \`avsync report --merge\` adds the shards' results into one (docs/sharding.md).
Gate it with --gate (published lip-sync windows), --threshold (expressions over the metrics in docs/metrics.md) and --baseline.
A session whose audio or video stops for --media-timeout, never starts, or whose connection fails ends as failed, and the run is then incomplete whatever the gate says. --header values go only to the target's own origin (--allow-redirect names others it may send avsync to, without them); everything read from a target is size-capped.
Exit codes: 0 measured and every gate check passed, 1 a gate check failed, 2 the run failed or is incomplete, 130 interrupted (partial result written).`;
  static examples = [
    "<%= config.bin %> <%= command.id %>",
    "<%= config.bin %> <%= command.id %> --duration 30 --pusher seed",
    "<%= config.bin %> <%= command.id %> --content-offset-ms 80 --json",
    "<%= config.bin %> <%= command.id %> --probe node,browser --schedule-offset-ms -80",
    "<%= config.bin %> <%= command.id %> --drop-video-frames 30,31,32 --drop-audio-frames 100-104",
    "<%= config.bin %> <%= command.id %> --target http://127.0.0.1:8010/offer --offer-field avatar=wav2lip256_avatar1 --marker-period 1",
    "<%= config.bin %> <%= command.id %> --target http://127.0.0.1:7860/webrtc/offer --offer-field 'webrtc_id={uuid}' --sessions 4",
    "<%= config.bin %> <%= command.id %> --target http://127.0.0.1:8000/talks/streams --signaling-flow answer --answer-url '/talks/streams/{session}/sdp'",
    "<%= config.bin %> <%= command.id %> --target whep+http://127.0.0.1:8889/live/whep --trickle",
    "<%= config.bin %> <%= command.id %> --target http://127.0.0.1:7860/api/offer --trickle",
    "<%= config.bin %> <%= command.id %> --target whep+http://127.0.0.1:8889/live/whep --push http://127.0.0.1:8889/live/whip",
    "<%= config.bin %> <%= command.id %> --target http://10.0.0.5:8010/offer --ice-server stun:10.0.0.1:3478",
    "<%= config.bin %> <%= command.id %> --talk --lip-offset-ms 80",
    "<%= config.bin %> <%= command.id %> --talk --target http://127.0.0.1:8010/offer --talk-url http://127.0.0.1:8010/human --offer-field avatar=wav2lip256_avatar1",
    "<%= config.bin %> <%= command.id %> --talk --target http://127.0.0.1:7860/offer --talk-microphone",
    "<%= config.bin %> <%= command.id %> --talk --gate itu-detect --threshold 'talk.responseLatency.p95 < 1500'",
    "<%= config.bin %> <%= command.id %> --sessions 20 --ramp 5/s",
    "<%= config.bin %> <%= command.id %> --target http://10.0.0.5:8010/offer --sessions 40 --shard 2/4 --start-at 2026-12-06T21:30:00Z --out /shared/shard-2",
    "<%= config.bin %> <%= command.id %> --video-size 1920x1080 --video-codec h264 --video-bitrate 4M",
    "<%= config.bin %> <%= command.id %> --gate itu-detect --threshold 'continuity.video.discontinuities == 0'",
    "<%= config.bin %> <%= command.id %> --baseline reports/main/result.json --max-regression 10%",
    "<%= config.bin %> <%= command.id %> --sessions 10 --duration 3600 --metrics-port 9464",
    "<%= config.bin %> <%= command.id %> --sessions 10 --duration 86400 --segment 300 --metrics-port 9464",
    "<%= config.bin %> <%= command.id %> --cleanup",
  ];
  static enableJsonFlag = true;
  static flags = {
    duration: Flags.custom<number>({
      parse: async (input) => {
        const seconds = input.trim() === "" ? NaN : Number(input);
        if (!(seconds >= minDurationS && seconds <= maxSegmentedDurationS)) {
          throw new Error(`Expected \`--duration\` to be a number of seconds between ${minDurationS} and ${maxSegmentedDurationS} (a shorter run carries no marker and too few frames to measure; over ${maxDurationS} s needs --segment), got \`${input}\`.`);
        }
        return seconds;
      },
    })({
      description: `Seconds of media to push and measure (at most ${maxDurationS}, or ${maxSegmentedDurationS} = 24 h with --segment); default ${defaultDurationS} s, or ${defaultBrowserDurationS} s with the browser probe, because Chromium's A/V sync takes 10–40 s to settle.`,
    }),
    ...pusherFlags,
    ...targetFlags,
    ...talkFlags,
    ...shardFlags,
    ...gateFlags,
    probe: Flags.string({
      default: "node",
      description:
        "Which receivers measure: `node` (avsync's probe: RTP, Sender Reports, decoded markers), `browser` (headless Chromium on the embedded target's page: what a viewer sees and hears) or `node,browser` for both side by side. The browser needs Chromium at /usr/bin/chromium (or AVSYNC_CHROMIUM).",
    }),
    "metrics-port": Flags.string({
      description:
        "Serve the run's live figures at http://127.0.0.1:PORT/metrics (Prometheus text format) while it runs: sessions up and failed, packets and losses per session, the transport offset over the last 10 s and its drift per hour, the process's memory and CPU. `0` picks a free port; `host:port` listens elsewhere (warns: not loopback).",
    }),
    segment: Flags.integer({
      min: 10,
      max: 3600,
      description:
        "Measure each session every N seconds while it records (from its last cut to a video keyframe, asked of the sender by RTCP PLI when none came) and let those packets go, so memory holds one segment: for runs of hours (--duration up to 86400). result.json adds every segment up and lists each one (`segmented`), with each session's drift per hour.",
    }),
    checkpoint: Flags.integer({
      default: 120,
      min: 0,
      max: 3600,
      description:
        "Every N seconds while the run receives, write result.json so far (incomplete, with each session's live figures: packets, losses, transport offset and drift), so a run that is killed or crashes leaves what it had; the finished run writes over it. 0 writes only at the end.",
    }),
    out: Flags.string({ description: "Folder to write the run's result.json and reports into; default reports/bench-<time>/." }),
    debug: Flags.boolean({ default: false, description: "Print stack traces of errors." }),
    cleanup: Flags.boolean({
      default: false,
      description:
        "Remove what killed runs left behind — headless Chromium profiles (and any of their processes) whose avsync is gone — then exit. Every browser run also does this first.",
    }),
  };

  async run(): Promise<BenchResult | { removed: string[] }> {
    const { flags } = await this.parse(Bench);
    if (flags.cleanup) {
      const removed = removeStaleChromiumProfiles();
      if (!this.jsonEnabled()) this.logToStderr(removed.length ? `removed: ${removed.join(", ")}` : "nothing to remove");
      return { removed };
    }
    let config;
    let durationS;
    let gateSpec;
    let targetConfig;
    let probes;
    let talk;
    let sharding;
    let metrics;
    try {
      probes = parseProbeKinds(flags.probe);
      durationS = flags.duration ?? (probes.includes("browser") ? defaultBrowserDurationS : defaultDurationS);
      config = pusherConfigFromFlags(flags);
      targetConfig = targetConfigFromFlags(flags);
      talk = talkConfigFromFlags(flags);
      if (talk && (targetConfig.sessions ?? 1) > 1) throw new Error("`--talk` measures one session; leave out `--sessions`.");
      if (talk && probes.includes("browser")) throw new Error("`--talk` measures with the node probe; leave out `--probe browser`.");
      sharding = shardFromFlags(flags, targetConfig.sessions ?? 1);
      metrics = flags["metrics-port"] === undefined ? undefined : parseMetricsListen(flags["metrics-port"]);
      if (sharding.shard && (talk || probes.includes("browser"))) throw new Error("`--shard` splits node probe sessions; it cannot be used with --talk or --probe browser.");
      if (durationS > maxDurationS && flags.segment === undefined) throw new Error(`A run over ${maxDurationS} s must be measured as it goes: add --segment 300 (or another length in seconds).`);
      const overBudget = probes.includes("node")
        ? recordingOverBudget(targetConfig.sessions, durationS, targetConfig.target ? externalRate : patternRate, undefined, flags.segment !== undefined ? Math.min(durationS, 2 * flags.segment) : undefined)
        : null;
      if (overBudget) throw new Error(overBudget);
      gateSpec = prepareGate(gateOptionsFromFlags(flags), "bench");
    } catch (error) {
      this.error((error as Error).message, { exit: exitCodes.runFailed });
    }
    if (metrics && !isLoopbackHost(metrics.host)) this.logToStderr(`warning: --metrics-port listens on ${metrics.host}: anyone who reaches it can read the run's live figures.`);
    const folder = createRunFolder("bench", flags.out);
    const interrupt = abortOnInterrupt();
    const progress = new Progress(this.jsonEnabled(), (line) => this.logToStderr(line));
    const events = new EventEmitter<BenchEvents>();
    events.on("phase", (phase) => progress.note(`… ${phase}`));
    events.on("progress", (p) => progress.status(`  ${p.elapsedS.toFixed(0)}/${p.durationS} s  audio ${p.audioPackets} pkts  video ${p.videoPackets} pkts`));
    const result = await runBench(
      {
        durationS,
        ...config,
        ...targetConfig,
        ...sharding,
        ...(metrics ? { metrics } : {}),
        ...(flags.segment !== undefined ? { segmentS: flags.segment } : {}),
        ...(flags.checkpoint > 0 ? { checkpoint: { everyS: flags.checkpoint, write: (partial: BenchResult) => void writeResultJson(folder, partial) } } : {}),
        probes, ...(talk ? { talk } : {}), flags: flagsForRecord(flags, { ...pusherFlags, ...targetFlags, ...talkFlags, ...shardFlags, duration: true }), signal: interrupt.signal },
      events,
    );
    progress.end();
    // finishRun writes result.json before it yields: from then on Ctrl-C only skips the reports.
    const finishing = finishRun(result, { folder, gateSpec, interrupted: interrupt.signal.aborted });
    interrupt.exitAtOnce(`Interrupted: ${folder}/result.json is written; \`avsync report ${folder}\` draws the reports.`);
    const finished = await finishing;
    interrupt.dispose();
    if (!this.jsonEnabled() && finished.terminal) this.logToStderr(finished.terminal);
    if (finished.exitCode !== exitCodes.ok) {
      if (this.jsonEnabled()) this.logJson(result);
      const message = result.complete ? gateFailureMessage(finished.gate!, folder) : `${result.incompleteReason ?? "the run did not complete"} (partial result in ${folder}/result.json)`;
      this.error(message, { exit: finished.exitCode });
    }
    return result;
  }
}
