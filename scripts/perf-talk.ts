// What the markerless lip-sync costs (issue 14): a talk of the reference head's face (VP8, 25 fps,
// its mouth 40 ms late on purpose) at 512x512 and 1280x720, measured by `measureTalk` (decode, Opus
// decode, speech envelope, region search, lag) against the baseline of the same run: decoding the
// same video into its region pictures alone. CPU s per media s, wall, and the ratio; cases
// interleave and repeat, medians are printed, and the offset read is checked against the truth.
// Run alone: node --import tsx scripts/perf-talk.ts   (PERF_TALK_MEDIA_S=60, PERF_TALK_REPEATS=3)
import { performance } from "node:perf_hooks";
import { OpusPacketizer, Vp8Packetizer } from "werift";
import { SenderClock, summarize } from "../src/lib/analysis/index.js";
import { defaultUtterances, encodeIdleFace, encodeReply, synthesizeSpeech, type TalkingHeadClip, type TalkingHeadLook } from "../src/lib/media/index.js";
import { measureTalk, type ProbeRecording, type RecordedPacket, type TalkPrompt } from "../src/lib/probe/index.js";
import { extendTimestamps } from "../src/lib/probe/measure-recording.js";
import { identifyStreamCodec } from "../src/lib/probe/stream-codec.js";
import { decodeVideo } from "../src/lib/probe/video-decoding.js";

const mediaS = Number(process.env.PERF_TALK_MEDIA_S ?? 60);
const repeats = Number(process.env.PERF_TALK_REPEATS ?? 3);
const fps = 25;
const lipOffsetMs = 40;
const sizes = [
  [512, 512],
  [1280, 720],
] as const;
// Where the recording's clock starts (ms), and what the network added.
const baseMs = 100_000;
const transitMs = 20;

interface Talk {
  recording: ProbeRecording;
  prompts: TalkPrompt[];
}

// The head answers each default utterance after a second of idle face, over and over until mediaS;
// each prompt is sent 500 ms before its answer starts.
async function makeTalk(width: number, height: number): Promise<Talk> {
  const look: TalkingHeadLook = { width, height, fps, lipOffsetMs };
  const idle = await encodeIdleFace(look);
  const replies: Array<TalkingHeadClip & { text: string }> = [];
  for (const text of defaultUtterances) replies.push(await encodeReply(await synthesizeSpeech(text), look));
  const video: Buffer[] = [];
  const audio: Buffer[] = [];
  const prompts: TalkPrompt[] = [];
  for (let k = 0; video.length < mediaS * fps; k++) {
    const reply = replies[k % replies.length]!;
    video.push(...idle.video.map((f) => f.data));
    audio.push(...idle.audio);
    const atMs = baseMs + (video.length * 1000) / fps - 500;
    prompts.push({ text: reply.text, sentAtMs: atMs, endedAtMs: atMs });
    video.push(...reply.video.map((f) => f.data));
    audio.push(...reply.audio);
  }
  const videoPackets: RecordedPacket[] = [];
  const audioPackets: RecordedPacket[] = [];
  const vp8 = new Vp8Packetizer({ maxPayloadSize: 1200 });
  let seq = 1;
  video.forEach((frame, i) => {
    const rtpTs = 1000 + i * (90_000 / fps);
    for (const p of vp8.packetize(frame, rtpTs)) videoPackets.push({ seq: seq++ & 0xffff, rtpTs, marker: p.header.marker, arrivalMs: baseMs + (i * 1000) / fps + transitMs, payload: p.payload, payloadType: 96 });
  });
  const opus = new OpusPacketizer();
  audio.forEach((packet, k) => {
    const rtpTs = 5000 + k * 960;
    for (const p of opus.packetize(packet, rtpTs)) audioPackets.push({ seq: k & 0xffff, rtpTs, marker: p.header.marker, arrivalMs: baseMs + k * 20 + transitMs, payload: p.payload, payloadType: 111 });
  });
  const durationMs = (video.length * 1000) / fps;
  const reports = (rtpBase: number, rate: number) =>
    Array.from({ length: Math.floor(durationMs / 1000) }, (_, s) => ({ ntpMs: baseMs + s * 1000, rtpTs: rtpBase + s * rate, arrivalMs: baseMs + s * 1000 + transitMs, packetCount: 0 }));
  const recording: ProbeRecording = {
    startedAtMs: baseMs - 500,
    connectedAtMs: baseMs - 100,
    endedAtMs: baseMs + durationMs + 200,
    audio: { ssrc: 2, codecs: [{ payloadType: 111, mimeType: "audio/opus", clockRateHz: 48_000, channels: 2 }], packets: audioPackets, senderReports: reports(5000, 48_000) },
    video: { ssrc: 1, codecs: [{ payloadType: 96, mimeType: "video/VP8", clockRateHz: 90_000 }], packets: videoPackets, senderReports: reports(1000, 90_000) },
  };
  return { recording, prompts };
}

// The baseline: the video decoded into region pictures, as measureTalk's first step does it.
async function decodeOnly({ recording }: Talk): Promise<number> {
  const codec = identifyStreamCodec(recording.video, "video");
  const packets = Array.from(recording.video.packets);
  const ts = extendTimestamps(packets, recording.video.senderReports, new SenderClock(90_000));
  const { readings } = await decodeVideo(packets, ts, codec, true);
  return readings.length;
}

async function timed<T>(run: () => Promise<T>): Promise<{ wallS: number; cpuS: number; value: T }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await run();
  const cpu = process.cpuUsage(cpu0);
  return { wallS: (performance.now() - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, value };
}

const talks = new Map<string, Talk>();
for (const [w, h] of sizes) {
  process.stderr.write(`… making ${mediaS} s of talking head at ${w}x${h}, ${fps} fps\n`);
  talks.set(`${w}x${h}`, await makeTalk(w, h));
}
const samples = new Map<string, { decode: Array<{ wallS: number; cpuS: number }>; talk: Array<{ wallS: number; cpuS: number }>; lips: number[]; readings: number; utterances: number; notAvailable: number }>();
for (let r = 0; r < repeats; r++) {
  for (const [name, talk] of talks) {
    process.stderr.write(`… ${name} (${r + 1}/${repeats})\n`);
    const entry = samples.get(name) ?? { decode: [], talk: [], lips: [], readings: 0, utterances: 0, notAvailable: 0 };
    const decoded = await timed(() => decodeOnly(talk));
    const measured = await timed(() => measureTalk(talk.recording, talk.prompts));
    entry.decode.push(decoded);
    entry.talk.push(measured);
    entry.lips.push(measured.value.lipOffsetMs.p50!);
    entry.readings = decoded.value;
    entry.utterances = measured.value.utterances.length;
    entry.notAvailable = measured.value.notAvailable;
    samples.set(name, entry);
  }
}
const p50 = (values: number[]): number => summarize(values).p50!;
console.log("");
console.log(`markerless talk analysis, ${mediaS} s of ${fps} fps VP8 (libav.js) talking head, median of ${repeats}, interleaved`);
console.log("case       decode only: wall s  CPU s/media s   measureTalk: wall s  CPU s/media s   ratio (CPU)   lips p50 (truth +40)   utterances");
for (const [name, s] of samples) {
  const d = { wall: p50(s.decode.map((x) => x.wallS)), cpu: p50(s.decode.map((x) => x.cpuS)) / mediaS };
  const t = { wall: p50(s.talk.map((x) => x.wallS)), cpu: p50(s.talk.map((x) => x.cpuS)) / mediaS };
  console.log(
    `${name.padEnd(10)} ${d.wall.toFixed(2).padStart(19)}  ${d.cpu.toFixed(3).padStart(13)}   ${t.wall.toFixed(2).padStart(18)}  ${t.cpu.toFixed(3).padStart(13)}   ${(t.cpu / d.cpu).toFixed(2).padStart(11)}   ${p50(s.lips).toFixed(1).padStart(20)}   ${s.utterances - s.notAvailable}/${s.utterances}`,
  );
}
const hd = p50(samples.get("1280x720")!.talk.map((x) => x.wallS));
console.log(`goal: ${mediaS} s of talk at 720p analysed in < ${mediaS} s: ${hd < mediaS ? "met" : "missed"} (${hd.toFixed(1)} s)`);
