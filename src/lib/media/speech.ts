import { execa } from "execa";
import { patternSampleRate } from "./pattern-options.js";

/** One utterance as 48 kHz mono PCM, full scale ±1. */
export interface SpeechClip {
  text: string;
  pcm: Float32Array;
  durationMs: number;
}

/** Raised when Debian's espeak-ng is not installed: the talking-head run cannot speak without it. */
export class SpeechSynthesizerMissingError extends Error {}

// The utterances `bench --talk` says by default: different lengths, ordinary words.
export const defaultUtterances = Object.freeze([
  "Hello, can you hear me?",
  "Tell me about the weather tomorrow morning in the mountains.",
  "Thank you.",
  "Please describe, in a few words, what you can see in front of you right now.",
]);

const cache = new Map<string, Promise<SpeechClip>>();

/**
 * Says `text` with Debian's espeak-ng on this machine (no download, no network) and returns it at
 * Opus's 48 kHz. The same text always gives the same samples, so a talking head and the run that
 * drives it can both make it.
 */
export function synthesizeSpeech(text: string): Promise<SpeechClip> {
  let clip = cache.get(text);
  if (!clip) {
    clip = speak(text);
    clip.catch(() => cache.delete(text));
    cache.set(text, clip);
  }
  return clip;
}

async function speak(text: string): Promise<SpeechClip> {
  let wav: Buffer;
  try {
    // `--` keeps a text that starts with a dash from reading as an option.
    const run = await execa("espeak-ng", ["--stdout", "-v", "en-us", "-s", "165", "--", text], { encoding: "buffer", timeout: 30_000 });
    wav = Buffer.from(run.stdout);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new SpeechSynthesizerMissingError("espeak-ng is not installed; run scripts/setup.sh or apt-get install espeak-ng", { cause: error });
    }
    throw new Error(`espeak-ng could not say ${JSON.stringify(text)}: ${(error as Error).message}`, { cause: error });
  }
  return { text, ...readSpeechWav(wav) };
}

/** A 16-bit mono WAV (espeak-ng's, or one a driver uploads) as 48 kHz PCM. */
export function readSpeechWav(wav: Buffer): Omit<SpeechClip, "text"> {
  const { sampleRateHz, samples } = readPcmWav(wav);
  const pcm = resampleLinear(samples, sampleRateHz, patternSampleRate);
  return { pcm, durationMs: (pcm.length * 1000) / patternSampleRate };
}

// espeak-ng writes a 16-bit mono RIFF/WAVE whose sizes are placeholders when it writes to a pipe:
// the samples are whatever follows the data chunk's header, up to the end of the file.
function readPcmWav(wav: Buffer): { sampleRateHz: number; samples: Float32Array } {
  if (wav.length < 44 || wav.toString("ascii", 0, 4) !== "RIFF" || wav.toString("ascii", 8, 12) !== "WAVE") throw new Error("not a WAVE file");
  let offset = 12;
  let sampleRateHz = 0;
  while (offset + 8 <= wav.length) {
    const id = wav.toString("ascii", offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    if (id === "fmt ") {
      if (wav.readUInt16LE(offset + 8) !== 1 || wav.readUInt16LE(offset + 10) !== 1 || wav.readUInt16LE(offset + 22) !== 16) throw new Error("the WAVE is not 16-bit mono PCM");
      sampleRateHz = wav.readUInt32LE(offset + 12);
    } else if (id === "data") {
      const body = wav.subarray(offset + 8, offset + 8 + Math.min(size, wav.length - offset - 8));
      const samples = new Float32Array(body.length >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = body.readInt16LE(i * 2) / 32768;
      if (sampleRateHz === 0) throw new Error("the WAVE has no format chunk before its data");
      return { sampleRateHz, samples };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error("the WAVE has no data chunk");
}

// Speech carries nothing near 11 kHz that a mouth follows; linear interpolation is enough here.
function resampleLinear(samples: Float32Array, fromHz: number, toHz: number): Float32Array {
  const out = new Float32Array(Math.floor((samples.length * toHz) / fromHz));
  for (let i = 0; i < out.length; i++) {
    const at = (i * fromHz) / toHz;
    const k = Math.floor(at);
    const a = samples[k] ?? 0;
    const b = samples[k + 1] ?? a;
    out[i] = a + (b - a) * (at - k);
  }
  return out;
}
