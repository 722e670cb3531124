import { performance } from "node:perf_hooks";
import { defaultUtterances, synthesizeSpeech } from "../media/index.js";
import { Microphone, measureTalk, sleepUnlessAborted, type ProbeRecording, type TalkMeasurements, type TalkPrompt } from "../probe/index.js";
import type { SignalingTarget } from "../signaling/index.js";
import { startTalkingHead, type SpokenReply, type TalkingHead } from "../target/index.js";
import { liveTalkingTextBody, sayToTarget, type TalkDriver } from "./talk-driver.js";

export interface TalkOptions {
  /** How to make the target speak; undefined with the reference head: its own `/human`. */
  driver?: TalkDriver;
  /** What to say, in order; default a few sentences of different lengths. */
  utterances?: readonly string[];
  /** The reference head's own errors (ignored with `--target`). */
  head?: { lipOffsetMs: number; responseDelayMs: number; still?: boolean };
  /** Time allowed per utterance for the answer, beyond twice the utterance's own length. Default 2.5 s. */
  answerAllowanceMs?: number;
}

/** `bench --talk`'s part of result.json. */
export interface TalkResult {
  /** `url`: where each utterance was sent; the microphone's: the offer URL of the session it spoke in. */
  driver: { kind: TalkDriver["kind"]; url: string };
  utterances: string[];
  /** The reference head's settings and its ledger of every reply; null against an external target. */
  head: { lipOffsetMs: number; responseDelayMs: number; still?: boolean; replies: SpokenReply[] } | null;
  /** What the driver said and when, Unix ms on the probe's clock. */
  prompts: Array<{ text: string; sentAtUnixMs: number; endedAtUnixMs: number; answeredAtUnixMs: number | null }>;
  measurements: TalkMeasurements | null;
  /** Why there are no measurements, or why the driver stopped; null when all went well. */
  error: string | null;
}

export interface TalkRun {
  result: TalkResult;
  /** The reference head's offer URL ("" with an external target). */
  offerUrl: string;
  /** How long the run must record for every utterance to be answered. */
  plannedS: number;
  /** The in-band driver's microphone, for the probe of the session it speaks in; null for an HTTP driver. */
  microphone: Microphone | null;
  /**
   * Says every utterance to the session of `slot` once it is connected, until `stop` (the recording
   * ended); a request in flight then still finishes or times out. Rejects with the driver's one-line error.
   */
  drive(slot: { recording?: ProbeRecording }, stop: AbortSignal): Promise<void>;
  /** Measures the answers; returns the error that left no measurements, or null. */
  measure(recording: ProbeRecording): Promise<string | null>;
  close(): Promise<void>;
}

// After connecting, the face settles (a keyframe, the jitter buffers) before the first utterance.
const settleMs = 1000;
// An external head may think (ASR, a language model, TTS) before it answers; avsync's own answers at once.
const defaultAnswerAllowanceMs = 2500;
const referenceAnswerAllowanceMs = 1000;
// Heard in-band, an utterance ends only when the listener has heard enough quiet after it (the reference head waits 600 ms).
const microphoneAllowanceMs = 1000;
const defaultHead = { lipOffsetMs: 0, responseDelayMs: 300 };

// One utterance on the microphone; undefined when the recording ended before it was all said.
async function speakOn(microphone: Microphone, text: string, pcm: Float32Array, stop: AbortSignal): Promise<TalkPrompt | undefined> {
  const ended = new Promise<undefined>((resolve) => stop.addEventListener("abort", () => resolve(undefined), { once: true }));
  const spoken = await Promise.race([microphone.say(pcm), ended]);
  return spoken && { text, ...spoken };
}

/** Prepares the speech (and the reference head when there is no target) and plans the run's length. */
export async function startTalk(options: TalkOptions, target: SignalingTarget | undefined, signal?: AbortSignal): Promise<TalkRun> {
  const utterances = [...(options.utterances ?? defaultUtterances)];
  const clips = await Promise.all(utterances.map(synthesizeSpeech));
  let head: TalkingHead | undefined;
  const headSettings = target ? null : (options.head ?? defaultHead);
  if (headSettings) head = await startTalkingHead({ ...headSettings, utterances });
  if (signal?.aborted) {
    await head?.close();
    throw new Error("interrupted while the talking head was starting");
  }
  const driver: TalkDriver = options.driver ?? { kind: "text", url: head!.humanUrl, body: { ...liveTalkingTextBody } };
  const microphone = driver.kind === "microphone" ? new Microphone() : null;
  const allowanceMs =
    (options.answerAllowanceMs ?? (headSettings ? referenceAnswerAllowanceMs : defaultAnswerAllowanceMs)) +
    Math.abs(headSettings?.lipOffsetMs ?? 0) +
    (headSettings?.responseDelayMs ?? 0) +
    (microphone ? microphoneAllowanceMs : 0);
  // Heard in-band, the reference head makes its face for what it heard only once it has heard it all: a
  // face as long as the utterance, whose encoding one overloaded CI run took 4.7 s over (its slot was 6.4 s).
  const slotsMs = clips.map((clip) => 2 * clip.durationMs + allowanceMs + (microphone && headSettings ? clip.durationMs : 0));
  const prompts: TalkPrompt[] = [];
  const result: TalkResult = {
    driver: { kind: driver.kind, url: driver.kind === "microphone" ? (target?.url ?? head!.offerUrl) : driver.url },
    utterances,
    head: headSettings ? { ...headSettings, replies: [] } : null,
    prompts: [],
    measurements: null,
    error: null,
  };
  const unix = (ms: number): number => Math.round((performance.timeOrigin + ms) * 10) / 10;
  return {
    result,
    offerUrl: head?.offerUrl ?? "",
    microphone,
    plannedS: Math.ceil((settleMs + slotsMs.reduce((a, b) => a + b, 0)) / 100) / 10,
    async drive(slot, stop) {
      while (!(slot.recording?.connectedAtMs != null)) {
        if (stop.aborted) return;
        await sleepUnlessAborted(20, stop);
      }
      const session = slot.recording.sessionId ?? "";
      let atMs = slot.recording.connectedAtMs + settleMs;
      for (const [i, text] of utterances.entries()) {
        await sleepUnlessAborted(atMs - performance.now(), stop);
        if (stop.aborted) return;
        try {
          const prompt = driver.kind === "microphone" ? await speakOn(microphone!, clips[i]!.text, clips[i]!.pcm, stop) : await sayToTarget(driver, text, session, signal);
          if (!prompt) return;
          prompts.push(prompt);
          result.prompts.push({ text, sentAtUnixMs: unix(prompt.sentAtMs), endedAtUnixMs: unix(prompt.endedAtMs), answeredAtUnixMs: prompt.answeredAtMs === undefined ? null : unix(prompt.answeredAtMs) });
        } catch (error) {
          if (signal?.aborted) return;
          result.error = (error as Error).message;
          throw error;
        }
        atMs += slotsMs[i]!;
      }
    },
    async measure(recording) {
      if (prompts.length === 0) return (result.error ??= "the driver said nothing, so no answer was measured");
      try {
        result.measurements = await measureTalk(recording, prompts);
        return null;
      } catch (error) {
        result.error = `could not measure the talking head: ${(error as Error).message}`;
        return result.error;
      }
    },
    async close() {
      if (head && result.head) result.head.replies = [...head.replies];
      await head?.close();
    },
  };
}
