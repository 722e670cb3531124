import { performance } from "node:perf_hooks";
import { patternSampleRate, synthesizeSpeech } from "../media/index.js";
import type { TalkPrompt } from "../probe/index.js";
import { safeText } from "../text/index.js";

/**
 * How `bench --talk` makes a target speak (docs/talking-head.md):
 * - `text`: one templated JSON request per utterance (LiveTalking's `POST /human`);
 * - `audio`: the utterance as a WAV file in a multipart request (LiveTalking's `POST /humanaudio`);
 * - `microphone`: in-band, the probe speaks on a `sendrecv` audio track (agents that answer what they hear).
 */
export type TalkDriver = HttpTalkDriver | { kind: "microphone" };

export interface HttpTalkDriver {
  kind: "text" | "audio";
  url: string;
  /** `text`: the JSON body, `{session}` and `{text}` filled in its strings; `audio`: the form's other fields. */
  body: Record<string, unknown>;
}

/** LiveTalking's speech request: the session from the offer's answer, the text said back (echo). */
export const liveTalkingTextBody = Object.freeze({ sessionid: "{session}", text: "{text}", type: "echo", interrupt: true });
export const liveTalkingAudioBody = Object.freeze({ sessionid: "{session}" });

const requestTimeoutMs = 10_000;

/**
 * Says one utterance to the target; the prompt's times are when the request left and when the
 * target answered it. Throws one line naming the URL when the target refuses (HTTP error, a
 * LiveTalking-style `{code: non-zero}`), cannot be reached, or does not answer in 10 s.
 */
export async function sayToTarget(driver: HttpTalkDriver, text: string, session: string, signal?: AbortSignal): Promise<TalkPrompt> {
  const fields = fillTemplate(driver.body, { session, text }) as Record<string, unknown>;
  let body: string | FormData;
  if (driver.kind === "text") {
    body = JSON.stringify(fields);
  } else {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.append(key, typeof value === "string" ? value : JSON.stringify(value));
    form.append("file", new Blob([new Uint8Array(toWav((await synthesizeSpeech(text)).pcm))], { type: "audio/wav" }), "utterance.wav");
    body = form;
  }
  const where = `POST ${driver.url}`;
  const timeout = AbortSignal.timeout(requestTimeoutMs);
  const sentAtMs = performance.now();
  let response: Response;
  try {
    response = await fetch(driver.url, {
      method: "POST",
      body,
      ...(driver.kind === "text" ? { headers: { "content-type": "application/json" } } : {}),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    if (timeout.aborted) throw new Error(`talk driver: ${where} did not answer within ${requestTimeoutMs / 1000} s`);
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`talk driver: could not reach ${where} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
  const reply = await response.text().catch(() => "");
  const answeredAtMs = performance.now();
  if (!response.ok) throw new Error(`talk driver: ${where} answered ${response.status} ${response.statusText}${reply ? `: ${safeText(reply, 120)}` : ""}`);
  const refusal = liveTalkingRefusal(reply);
  if (refusal) throw new Error(`talk driver: ${where} refused: ${refusal}`);
  // A request is said all at once: the utterance ends when it leaves, whatever the server does before answering.
  return { text, sentAtMs, endedAtMs: sentAtMs, answeredAtMs };
}

// LiveTalking answers its errors as HTTP 200 `{code: -1, msg}`.
function liveTalkingRefusal(reply: string): string | null {
  try {
    const parsed = JSON.parse(reply) as { code?: unknown; msg?: unknown };
    if (typeof parsed === "object" && parsed !== null && typeof parsed.code === "number" && parsed.code !== 0) {
      return `code ${parsed.code}${typeof parsed.msg === "string" ? `: ${safeText(parsed.msg, 120)}` : ""}`;
    }
  } catch {
    // Not JSON: any 2xx is an acceptance.
  }
  return null;
}

/** Parses `--talk-body`: a JSON object whose strings may hold {session} and {text}, quoted back when it is not one. */
export function parseTalkBody(text: string, flagName: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Expected \`--${flagName}\` to be a JSON object such as {"sessionid":"{session}","text":"{text}"}, got \`${text}\`.`);
  }
  return parsed as Record<string, unknown>;
}

function fillTemplate(value: unknown, fill: { session: string; text: string }): unknown {
  if (typeof value === "string") return value.replace(/\{(session|text)\}/g, (_, name: "session" | "text") => fill[name]);
  if (Array.isArray(value)) return value.map((v) => fillTemplate(v, fill));
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillTemplate(v, fill)]));
  return value;
}

// A 16-bit mono RIFF/WAVE at 48 kHz: what a speech endpoint that takes a file reads.
function toWav(pcm: Float32Array): Buffer {
  const data = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(pcm[i]! * 32767))), i * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVEfmt ", 8, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(patternSampleRate, 24);
  header.writeUInt32LE(patternSampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
