import { performance } from "node:perf_hooks";
import { OpusPacketizer } from "werift";
import { encodeOpusLoop, patternAudioFrameSamples } from "../media/index.js";
import type { MediaOutput } from "../pusher/index.js";

/** When one utterance went out on the microphone, on the probe's clock. */
export interface SpokenOnMicrophone {
  /** The packet holding its first sample was sent. */
  sentAtMs: number;
  /** Its last sample had been played out: the last packet's send time plus its 20 ms. */
  endedAtMs: number;
}

const frameMs = 20;
const ticksPerFrame = patternAudioFrameSamples;
// A phone-quality pause either side of each utterance, so its Opus packets start and end in silence.
const padFrames = 5;

/**
 * The probe's microphone (`bench --talk --talk-microphone`): a `sendrecv` audio track that sends a
 * 20 ms Opus packet every 20 ms like a real one, silence between the utterances it is asked to say,
 * for conversational agents that answer what they hear.
 */
export class Microphone {
  private output: MediaOutput | null = null;
  private readonly packetizer = new OpusPacketizer();
  private readonly silence = encodeOpusLoop(new Float32Array(padFrames * patternAudioFrameSamples))[0]!;
  private readonly queue: Array<{ packets: Buffer[]; sent: number; sentAtMs: number; done: (spoken: SpokenOnMicrophone) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private anchorMs = 0;
  private frame = 0;
  private readonly baseTs = Math.floor(Math.random() * 2 ** 31);

  /** Starts sending (silence until something is said) once the connection is up. */
  start(output: MediaOutput): void {
    if (this.output) return;
    this.output = output;
    this.anchorMs = performance.now();
    this.tick();
  }

  /** Says 48 kHz mono speech; resolves when its last sample has gone out. */
  say(pcm: Float32Array): Promise<SpokenOnMicrophone> {
    const frames = Math.ceil(pcm.length / patternAudioFrameSamples) + 2 * padFrames;
    const padded = new Float32Array(frames * patternAudioFrameSamples);
    padded.set(pcm, padFrames * patternAudioFrameSamples);
    // The pads are silence on both sides, so the loop encoder's priming from the tail is priming from silence.
    const packets = encodeOpusLoop(padded).slice(padFrames, frames - padFrames);
    return new Promise((done) => this.queue.push({ packets, sent: 0, sentAtMs: 0, done }));
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.output = null;
  }

  // Sends every packet due by now (a late timer catches up), then sleeps to the next one.
  private tick(): void {
    const output = this.output;
    if (!output) return;
    const nowMs = performance.now();
    while (this.anchorMs + this.frame * frameMs <= nowMs) {
      const utterance = this.queue[0];
      const payload = utterance ? utterance.packets[utterance.sent]! : this.silence;
      const rtpTs = (this.baseTs + this.frame * ticksPerFrame) >>> 0;
      for (const packet of this.packetizer.packetize(payload, rtpTs)) output.sendRtp(packet).catch(() => undefined);
      this.frame++;
      if (!utterance) continue;
      if (utterance.sent === 0) utterance.sentAtMs = nowMs;
      if (++utterance.sent === utterance.packets.length) {
        this.queue.shift();
        utterance.done({ sentAtMs: utterance.sentAtMs, endedAtMs: nowMs + frameMs });
      }
    }
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.anchorMs + this.frame * frameMs - performance.now()));
  }
}
