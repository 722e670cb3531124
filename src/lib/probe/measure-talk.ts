import OpusScript from "opusscript";
import { SenderClock, measureLipSync, speechEnvelope, summarize, type RegionPicture, type Summary, type UtteranceSync } from "../analysis/index.js";
import { opusLookaheadSamples } from "../media/index.js";
import { extendTimestamps } from "./measure-recording.js";
import type { ProbeRecording, RecordedPacket } from "./recording.js";
import { identifyStreamCodec } from "./stream-codec.js";
import { decodeVideo } from "./video-decoding.js";

/** One utterance the driver said to the target, on the probe's clock (performance.now()). */
export interface TalkPrompt {
  text: string;
  /** When the driver started saying it (sent the request, or began speaking on the microphone). */
  sentAtMs: number;
  /** When it finished saying it: a request is said when it leaves; a spoken one at its last sample. */
  endedAtMs: number;
  /** When the target acknowledged it (an HTTP driver's response); absent for speech on the microphone. */
  answeredAtMs?: number;
}

/** What one utterance's answer showed: the lip-sync of DESIGN §3 without markers, and how long the answer took. */
export interface TalkUtterance extends UtteranceSync {
  text: string;
  /** End of the driver's utterance → first sound of the answer as it arrived, ms. */
  responseLatencyMs: number | null;
  /** End of the driver's utterance → the mouth's first move as it arrived, ms. */
  mouthLatencyMs: number | null;
}

export interface TalkMeasurements {
  /** `sender`: both streams placed by their Sender Reports; `arrival`: by when they arrived (no SRs). */
  clock: "sender" | "arrival";
  utterances: TalkUtterance[];
  /** Over the utterances that have an offset (positive = audio leads). */
  lipOffsetMs: Summary;
  /** Utterances whose offset is not available, of all. */
  notAvailable: number;
  responseLatencyMs: Summary;
  mouthLatencyMs: Summary;
}

const sampleRateHz = 48_000;
const samplesPerMs = sampleRateHz / 1000;

/**
 * Decodes a talking head's answer (Opus audio, video of any codec the probe decodes) and measures,
 * per prompt, the markerless lip-sync offset and the response latency. Each prompt's answer is
 * looked for from the moment it was sent to the next prompt.
 */
export async function measureTalk(recording: ProbeRecording, prompts: readonly TalkPrompt[]): Promise<TalkMeasurements> {
  const audioCodec = identifyStreamCodec(recording.audio, "audio");
  const videoCodec = identifyStreamCodec(recording.video, "video");
  if (audioCodec.codec?.toLowerCase() !== "opus") throw new Error(`the talking head sent ${audioCodec.codec ?? "unknown"} audio; avsync hears Opus only`);
  const audioClock = new SenderClock(audioCodec.clockRateHz ?? sampleRateHz);
  const videoClock = new SenderClock(videoCodec.clockRateHz ?? 90_000);
  const audioPackets = Array.from(recording.audio.packets);
  const videoPackets = Array.from(recording.video.packets);
  const audioTs = extendTimestamps(audioPackets, recording.audio.senderReports, audioClock);
  const videoTs = extendTimestamps(videoPackets, recording.video.senderReports, videoClock);
  const { frames, readings, decoding } = await decodeVideo(videoPackets, videoTs, videoCodec, true);
  if (readings.length === 0) throw new Error(`no video picture decoded: ${decoding.failure ?? "nothing arrived"}`);

  // Arrival-anchored clocks: a stream's RTP time laid on the probe's clock through its fastest packet.
  const audioAnchor = minTransit(audioPackets.map((p) => [audioTs.get(p)!, p.arrivalMs]), samplesPerMs);
  const videoAnchor = minTransit(frames.map((f) => [f.extendedTs, f.completeArrivalMs]), 90);
  const bySenderReports = recording.audio.senderReports.length > 0 && recording.video.senderReports.length > 0;
  const audioMs = (ticks: number): number => (bySenderReports ? audioClock.toSenderMs(ticks)! : audioAnchor + ticks / samplesPerMs);
  const videoMs = (ticks: number): number => (bySenderReports ? videoClock.toSenderMs(ticks)! : videoAnchor + ticks / 90);

  const { pcm, firstTicks } = decodeOpus(audioPackets, audioTs);
  // libwebrtc, aiortc and avsync stamp the encoder's input: decoded audio runs its lookahead late.
  const pcmStartTicks = firstTicks - opusLookaheadSamples;
  const voice = speechEnvelope(pcm, sampleRateHz, { startMs: audioMs(pcmStartTicks) });
  const pictures: RegionPicture[] = readings.map(({ frame, reading }) => ({ ms: videoMs(frame.extendedTs), regions: reading.cellLuma }));
  pictures.sort((a, b) => a.ms - b.ms);
  // The probe's clock → the lip clock, for each stream (a constant: the clocks run at one rate).
  const audioShiftMs = audioMs(pcmStartTicks) - (audioAnchor + pcmStartTicks / samplesPerMs);
  const videoShiftMs = pictures.length ? videoMs(readings[0]!.frame.extendedTs) - (videoAnchor + readings[0]!.frame.extendedTs / 90) : 0;
  const endMs = recording.endedAtMs ?? Infinity;
  const windows = prompts.map((prompt, i) => ({ fromMs: prompt.sentAtMs + audioShiftMs, toMs: (prompts[i + 1]?.sentAtMs ?? endMs) + audioShiftMs }));
  const synced = measureLipSync(voice, pictures, windows);
  const utterances = synced.map((sync, i): TalkUtterance => {
    const prompt = prompts[i]!;
    return {
      text: prompt.text,
      ...sync,
      responseLatencyMs: sync.voiceOnsetMs === null ? null : round(sync.voiceOnsetMs - audioShiftMs - prompt.endedAtMs),
      mouthLatencyMs: sync.mouthOnsetMs === null ? null : round(sync.mouthOnsetMs - videoShiftMs - prompt.endedAtMs),
    };
  });
  const figures = (pick: (u: TalkUtterance) => number | null): number[] => utterances.flatMap((u) => (pick(u) === null ? [] : [pick(u)!]));
  return {
    clock: bySenderReports ? "sender" : "arrival",
    utterances,
    lipOffsetMs: summarize(figures((u) => u.lipOffsetMs)),
    notAvailable: utterances.filter((u) => u.lipOffsetMs === null).length,
    responseLatencyMs: summarize(figures((u) => u.responseLatencyMs)),
    mouthLatencyMs: summarize(figures((u) => u.mouthLatencyMs)),
  };
}

// The smallest arrival − RTP time over a stream's units: the line its fastest unit sat on.
function minTransit(units: ReadonlyArray<readonly [number, number]>, ticksPerMs: number): number {
  let best = Infinity;
  for (const [ticks, arrivalMs] of units) best = Math.min(best, arrivalMs - ticks / ticksPerMs);
  return Number.isFinite(best) ? best : 0;
}

// Every Opus packet decoded in timestamp order onto one sample grid; a lost packet leaves silence.
function decodeOpus(packets: readonly RecordedPacket[], extendedTs: Map<RecordedPacket, number>): { pcm: Float32Array; firstTicks: number } {
  const unique = [...new Map(packets.map((p) => [extendedTs.get(p)!, p])).values()].sort((a, b) => extendedTs.get(a)! - extendedTs.get(b)!);
  if (unique.length === 0) return { pcm: new Float32Array(0), firstTicks: 0 };
  const firstTicks = extendedTs.get(unique[0]!)!;
  const lastTicks = extendedTs.get(unique.at(-1)!)!;
  const pcm = new Float32Array(lastTicks - firstTicks + 2880);
  const decoder = new OpusScript(sampleRateHz, 1, OpusScript.Application.AUDIO);
  try {
    for (const packet of unique) {
      const at = extendedTs.get(packet)! - firstTicks;
      let decoded: Buffer;
      try {
        decoded = decoder.decode(packet.payload);
      } catch {
        continue;
      }
      const samples = new Int16Array(decoded.buffer, decoded.byteOffset, decoded.length >> 1);
      for (let i = 0; i < samples.length && at + i < pcm.length; i++) pcm[at + i] = samples[i]! / 32768;
    }
  } finally {
    decoder.delete();
  }
  return { pcm, firstTicks };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
