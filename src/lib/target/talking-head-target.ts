import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { MediaStreamTrack, type RTCPeerConnection } from "werift";
import { encodeIdleFace, encodeReply, readSpeechWav, resolvePatternOptions, synthesizeSpeech, type EncodedPattern, type TalkingHeadClip, type TalkingHeadLook, type TalkingHeadReply } from "../media/index.js";
import { PusherSession, noInjections, type PushContent } from "../pusher/index.js";
import { createPeer, enlargeReceiveBuffers, loopbackIce, senderOutput, waitConnected } from "../rtc/index.js";
import { maxSignalingBytes, parseSignalingMessage } from "../signaling/index.js";
import { SpeechListener } from "./speech-listener.js";

export interface TalkingHeadOptions {
  /** 0 picks a free port. The head listens on 127.0.0.1 only. */
  port?: number;
  width?: number;
  height?: number;
  fps?: number;
  /** The mouth shows each sound this long after it is heard (positive = audio leads). */
  lipOffsetMs: number;
  /** From a request to the reply's first sample (rounded up to the next whole audio-and-video frame). */
  responseDelayMs: number;
  /** Texts to prepare before the first request, so their replies start on time. */
  utterances?: readonly string[];
  /** A face that speaks but never moves its mouth: what a broken renderer shows (lip sync must read "not available"). */
  still?: boolean;
}

/** The head's own account of one reply: the truth a measurement of it is judged against. */
export interface SpokenReply {
  sessionId: string;
  text: string;
  /** When the request arrived and when the reply's first sample and its voice were sent, Unix ms. */
  requestUnixMs: number;
  startUnixMs: number;
  voiceOnsetUnixMs: number;
  /** When the first picture with the mouth open a fifth of its widest was sent; null for a still face. */
  mouthOnsetUnixMs: number | null;
  lipOffsetMs: number;
}

export interface TalkingHead {
  /** LiveTalking's offer URL: `POST {sdp,type}` → `{sdp,type,sessionid}`. */
  readonly offerUrl: string;
  /** LiveTalking's speech URL: `POST {sessionid,text,type,interrupt}` → `{code:0}`. */
  readonly humanUrl: string;
  /** LiveTalking's audio URL: multipart `POST` of `file` (a WAV) and `sessionid` → `{code:0}`; the head says the file back. */
  readonly humanAudioUrl: string;
  readonly replies: readonly SpokenReply[];
  close(): Promise<void>;
}

/**
 * avsync's reference talking head: LiveTalking's API (`/offer`, `/human`) in front of a face whose
 * mouth opens with the loudness of what it says, `lipOffsetMs` late on purpose. It says each
 * utterance back after `responseDelayMs` and keeps a ledger of when it did.
 */
export async function startTalkingHead(options: TalkingHeadOptions): Promise<TalkingHead> {
  const look: TalkingHeadLook = { width: options.width ?? 512, height: options.height ?? 512, fps: options.fps ?? 30, lipOffsetMs: options.lipOffsetMs, still: options.still ?? false };
  const idle = await encodeIdleFace(look);
  const replies = new Map<string, Promise<TalkingHeadReply>>();
  const replyTo = (text: string): Promise<TalkingHeadReply> => {
    let reply = replies.get(text);
    if (!reply) {
      reply = synthesizeSpeech(text).then((clip) => encodeReply(clip, look));
      replies.set(text, reply);
    }
    return reply;
  };
  await Promise.all((options.utterances ?? []).map(replyTo));
  const pattern: EncodedPattern = {
    options: resolvePatternOptions({ width: look.width, height: look.height, fps: look.fps, videoCodec: "vp8" }),
    sampleRate: 48000,
    channels: 1,
    audioFrameSamples: 960,
    video: idle.video,
    audio: idle.audio,
  };
  const sessions = new Map<string, { timeline: ReplyTimeline; pusher: PusherSession; pc: RTCPeerConnection; listener?: SpeechListener }>();
  const ledger: SpokenReply[] = [];
  let nextId = 1;

  const offer = async (body: Record<string, unknown> | FormData): Promise<unknown> => {
    const description = parseSignalingMessage(JSON.stringify(body), "offer");
    const pc = createPeer({ videoCodecs: ["vp8"], ice: loopbackIce });
    let listener: SpeechListener | undefined;
    // werift announces the viewer's audio track while the offer is applied, before the head has looked at it.
    pc.onTrack.subscribe((track) => {
      if (track.kind === "audio") track.onReceiveRtp.subscribe((rtp) => listener?.push(rtp.payload, performance.now()));
    });
    await pc.setRemoteDescription(description);
    const outputs: Partial<Record<"audio" | "video", ReturnType<typeof senderOutput>>> = {};
    const sessionId = String(nextId++);
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.kind !== "audio" && transceiver.kind !== "video") continue;
      // A viewer that offers to send audio speaks to the head in-band: it listens and answers what it hears.
      const speaks = transceiver.kind === "audio" && transceiver.offerDirection === "sendrecv";
      transceiver.setDirection(speaks ? "sendrecv" : "sendonly");
      if (speaks) {
        listener = new SpeechListener(({ pcm, endedAtMs }) => {
          const clip = { text: "(heard)", pcm, durationMs: (pcm.length * 1000) / 48_000 };
          void speak(sessionId, clip.text, () => encodeReply(clip, look), endedAtMs);
        });
      }
      await transceiver.sender.replaceTrack(new MediaStreamTrack({ kind: transceiver.kind }));
      transceiver.sender.streamId = "avsync-talking-head";
      outputs[transceiver.kind] = senderOutput(transceiver.sender);
    }
    if (!outputs.audio || !outputs.video) {
      await pc.close();
      return { code: -1, msg: "the offer must ask for one audio and one video stream" };
    }
    await pc.setLocalDescription(await pc.createAnswer());
    enlargeReceiveBuffers(pc);
    const timeline = new ReplyTimeline(idle, look.fps);
    const pusher = new PusherSession({ mode: "paced", pattern, injections: noInjections, content: timeline }, { audio: outputs.audio, video: outputs.video });
    sessions.set(sessionId, { timeline, pusher, pc, ...(listener ? { listener } : {}) });
    void waitConnected(pc, 10_000).then(
      () => pusher.start(),
      () => void pc.close(),
    );
    return { sdp: pc.localDescription!.sdp, type: "answer", sessionid: sessionId };
  };

  const human = async (body: Record<string, unknown> | FormData): Promise<unknown> => {
    if (body instanceof FormData) return { code: -1, msg: "send JSON {sessionid, text}" };
    if (typeof body.text !== "string" || body.text.trim() === "") return { code: -1, msg: "text must be a non-empty string" };
    return speak(body.sessionid, body.text, () => replyTo(body.text as string));
  };

  const humanAudio = async (form: Record<string, unknown> | FormData): Promise<unknown> => {
    if (!(form instanceof FormData)) return { code: -1, msg: "send a multipart form with `file` and `sessionid`" };
    const file = form.get("file");
    if (!(file instanceof Blob)) return { code: -1, msg: "the form must carry the speech as `file`" };
    const clip = { text: "(audio)", ...readSpeechWav(Buffer.from(await file.arrayBuffer())) };
    return speak(form.get("sessionid"), clip.text, () => encodeReply(clip, look));
  };

  // `heardMs`: when an utterance heard in-band ended; a request's own arrival otherwise.
  const speak = async (sessionField: unknown, text: string, makeReply: () => Promise<TalkingHeadReply>, heardMs?: number): Promise<unknown> => {
    const requestMs = heardMs ?? performance.now();
    const sessionId = String(sessionField ?? "");
    const session = sessions.get(sessionId);
    if (!session) return { code: -1, msg: `no session ${JSON.stringify(sessionId)}` };
    const reply = await makeReply();
    const anchorUnixMs = session.pusher.report().anchorUnixMs;
    if (anchorUnixMs === null) return { code: -1, msg: "the session is not connected yet" };
    const anchorMs = anchorUnixMs - performance.timeOrigin;
    // The earliest push time the reply can start: after the delay, and after a reply not ready at once was made.
    const earliestMs = Math.max(requestMs + options.responseDelayMs, performance.now() + 5);
    const startMs = session.timeline.schedule(reply, earliestMs - anchorMs) + anchorMs;
    ledger.push({
      sessionId,
      text,
      requestUnixMs: performance.timeOrigin + requestMs,
      startUnixMs: performance.timeOrigin + startMs,
      voiceOnsetUnixMs: performance.timeOrigin + startMs + reply.voiceOnsetMs,
      mouthOnsetUnixMs: reply.mouthOnsetMs === null ? null : performance.timeOrigin + startMs + reply.mouthOnsetMs,
      lipOffsetMs: look.lipOffsetMs,
    });
    return { code: 0, msg: "ok" };
  };

  const http = createServer((req, res) => {
    void route(req, res, { "/offer": offer, "/human": human, "/humanaudio": humanAudio });
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  const { port } = http.address() as AddressInfo;
  return {
    offerUrl: `http://127.0.0.1:${port}/offer`,
    humanUrl: `http://127.0.0.1:${port}/human`,
    humanAudioUrl: `http://127.0.0.1:${port}/humanaudio`,
    replies: ledger,
    async close(): Promise<void> {
      for (const { pusher, pc, listener } of sessions.values()) {
        pusher.stop();
        await pc.close();
        listener?.close();
      }
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

// JSON (or a multipart form) in, JSON out; LiveTalking answers its own errors as HTTP 200 `{code, msg}`, and so does this.
async function route(req: IncomingMessage, res: ServerResponse, handlers: Record<string, (body: Record<string, unknown> | FormData) => Promise<unknown>>): Promise<void> {
  const handler = req.method === "POST" ? handlers[new URL(req.url ?? "/", "http://head").pathname] : undefined;
  if (!handler) return void res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxSignalingBytes) return void res.writeHead(413, { "content-type": "text/plain" }).end("too large\n");
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    const type = req.headers["content-type"] ?? "";
    // undici's Response reads a multipart body into FormData: the same parser fetch uses.
    const body: unknown = type.startsWith("multipart/form-data") ? await new Response(raw, { headers: { "content-type": type } }).formData() : JSON.parse(raw.toString("utf8"));
    const answer = await handler(body instanceof FormData || (typeof body === "object" && body !== null) ? (body as Record<string, unknown> | FormData) : {});
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  } catch (error) {
    res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ code: -1, msg: (error as Error).message }));
  }
}

/**
 * What one session pushes at each frame: the idle face, or a reply. A reply starts on a frame
 * where audio packets and video frames begin together, with its keyframe; an interrupting reply
 * replaces the one playing, and the idle loop starts again from its keyframe after each reply.
 */
class ReplyTimeline implements PushContent {
  private reply: { clip: TalkingHeadClip; audioStart: number; videoStart: number } | null = null;
  private idleAudioStart = 0;
  private idleVideoStart = 0;

  constructor(
    private readonly idle: TalkingHeadClip,
    private readonly fps: number,
  ) {}

  /** Starts `clip` at the first shared frame boundary at or after `earliestMs` of push time; returns that time. */
  schedule(clip: TalkingHeadClip, earliestMs: number): number {
    const stepMs = 1000 / gcd(50, this.fps);
    const startMs = Math.ceil(earliestMs / stepMs) * stepMs;
    const audioStart = Math.round(startMs / 20);
    const videoStart = Math.round((startMs * this.fps) / 1000);
    this.reply = { clip, audioStart, videoStart };
    this.idleAudioStart = audioStart + clip.audio.length;
    this.idleVideoStart = videoStart + clip.video.length;
    return startMs;
  }

  audio(index: number): Buffer {
    const reply = this.reply;
    if (reply && index >= reply.audioStart && index < reply.audioStart + reply.clip.audio.length) return reply.clip.audio[index - reply.audioStart]!;
    const loop = this.idle.audio;
    return loop[(((index - this.idleAudioStart) % loop.length) + loop.length) % loop.length]!;
  }

  video(index: number): Buffer {
    const reply = this.reply;
    if (reply && index >= reply.videoStart && index < reply.videoStart + reply.clip.video.length) return reply.clip.video[index - reply.videoStart]!.data;
    const loop = this.idle.video;
    return loop[(((index - this.idleVideoStart) % loop.length) + loop.length) % loop.length]!.data;
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
