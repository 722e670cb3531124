import { Flags } from "@oclif/core";
import { liveTalkingAudioBody, liveTalkingTextBody, parseTalkBody, type TalkOptions } from "../bench/index.js";
import { numberFlag } from "./flag-kinds.js";

// `bench --talk` (docs/talking-head.md): make a talking head speak and measure its lips and its answers.
export const talkFlags = {
  talk: Flags.boolean({
    default: false,
    description:
      "Measure a talking head: say each --utterance to it, then read from its decoded face and voice the lip-sync offset per utterance (no markers needed) and how long it took to answer. Without --target it runs against avsync's reference talking head.",
  }),
  "talk-url": Flags.string({
    dependsOn: ["talk"],
    description:
      "Where to send each utterance with --target, e.g. LiveTalking's http://host:8010/human (or /humanaudio with --talk-audio). The body is --talk-body.",
  }),
  "talk-body": Flags.string({
    dependsOn: ["talk"],
    description:
      'The JSON body of each speech request; `{session}` becomes the session id from the offer\'s answer and `{text}` the utterance. Default LiveTalking\'s {"sessionid":"{session}","text":"{text}","type":"echo","interrupt":true}; with --talk-audio, the form\'s fields besides the file ({"sessionid":"{session}"}).',
  }),
  "talk-audio": Flags.boolean({
    default: false,
    dependsOn: ["talk"],
    description: "Send each utterance as speech: a 48 kHz WAV file (form field `file`) in a multipart POST, as LiveTalking's /humanaudio takes it.",
  }),
  "talk-microphone": Flags.boolean({
    default: false,
    dependsOn: ["talk"],
    exclusive: ["talk-url", "talk-audio", "talk-body"],
    description:
      "Speak each utterance in-band, on the probe's own microphone track (audio offered sendrecv, silence between utterances), instead of an HTTP request: for conversational agents that answer what they hear (Pipecat, fastrtc, OpenAvatarChat). Works without --target too: the reference head then listens.",
  }),
  utterance: Flags.string({
    multiple: true,
    dependsOn: ["talk"],
    description: "A sentence to say (repeatable, said in order); default four sentences of different lengths. Spoken by espeak-ng on this machine.",
  }),
  "lip-offset-ms": numberFlag({ min: -1000, max: 1000 })({
    dependsOn: ["talk"],
    exclusive: ["target"],
    description: "The reference talking head's mouth shows each sound N ms late (positive = audio leads): an injected lip-sync error --talk must read.",
  }),
  "response-delay-ms": numberFlag({ min: 0, max: 10_000 })({
    dependsOn: ["talk"],
    exclusive: ["target"],
    description: "The reference talking head starts answering N ms after each request (rounded up to its next whole frame); default 300.",
  }),
};

/** The talk options of a `bench --talk` run, or undefined without --talk. */
export function talkConfigFromFlags(flags: {
  talk: boolean;
  target?: string;
  "talk-url"?: string;
  "talk-body"?: string;
  "talk-audio": boolean;
  "talk-microphone"?: boolean;
  utterance?: string[];
  "lip-offset-ms"?: number;
  "response-delay-ms"?: number;
}): TalkOptions | undefined {
  if (!flags.talk) return undefined;
  const microphone = flags["talk-microphone"] === true;
  if (flags.target && !flags["talk-url"] && !microphone) {
    throw new Error("`--talk` with `--target` needs `--talk-url`, where each utterance is sent (LiveTalking: http://host:8010/human), or `--talk-microphone` to speak in-band.");
  }
  if (!flags.target && flags["talk-url"]) throw new Error("`--talk-url` names a target's speech endpoint; it needs `--target`.");
  const utterances = flags.utterance?.map((text) => text.trim());
  if (utterances?.some((text) => text === "")) throw new Error("Expected every `--utterance` to hold words, got an empty one.");
  const kind = flags["talk-audio"] ? "audio" : "text";
  const body = flags["talk-body"] ? parseTalkBody(flags["talk-body"], "talk-body") : { ...(kind === "audio" ? liveTalkingAudioBody : liveTalkingTextBody) };
  return {
    ...(flags["talk-url"] ? { driver: { kind, url: checkedUrl(flags["talk-url"]), body } } : {}),
    ...(microphone ? { driver: { kind: "microphone" as const } } : {}),
    ...(utterances?.length ? { utterances } : {}),
    ...(flags.target ? {} : { head: { lipOffsetMs: flags["lip-offset-ms"] ?? 0, responseDelayMs: flags["response-delay-ms"] ?? 300 } }),
  };
}

function checkedUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) throw new Error(`Expected \`--talk-url\` to be an http(s) URL such as http://127.0.0.1:8010/human, got \`${text}\`.`);
  return url.href;
}
