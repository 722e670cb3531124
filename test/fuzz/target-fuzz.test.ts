// test: system
// Seeded fuzz, bounded in count and time: malformed signaling answers (HTTP status lines, headers,
// bodies, redirects, JSON, SDP, WebSocket frames and closes) from real servers on 127.0.0.1, and
// malformed RTP/RTCP recordings into the probe's measurement. Every input must end in a result or
// one clear line: no crash, no uncaught error, no multi-line or control-character reason.
// Set AVSYNC_FUZZ_SEED to replay a run; the seed is printed.
import { strict as assert } from "node:assert";
import { createServer as createHttpServer, type IncomingMessage } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { after, before, test } from "node:test";
import { MediaStreamTrack, RtcpSenderInfo, RtcpSrPacket, RtpHeader, type RTCPeerConnection, type RtcpPacket } from "werift";
import { WebSocketServer, type WebSocket } from "ws";
import { measureOrExplain, runBench, type BenchResult } from "../../src/lib/bench/index.js";
import { defaultPatternOptions } from "../../src/lib/media/index.js";
import type { ContentMode, ProbeRecording, RecordedPacket } from "../../src/lib/probe/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { createLoopbackPeer, waitConnected } from "../../src/lib/rtc/index.js";
import type { SignalingTarget } from "../../src/lib/signaling/index.js";

const seed = Number(process.env.AVSYNC_FUZZ_SEED ?? 20261204);
const signalingCases = 120;
const recordingCases = 30;
const hostileMediaS = 3;
const parallel = 6;

// mulberry32: small, seeded, good enough to pick inputs.
function random(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
// Each test draws from its own sequence, and only where the order is fixed (cases are generated up
// front, not as requests happen to arrive), so a seed replays the same inputs.
let rand = random(seed);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
const noise = (): string => pick(["\x1b[2J\x1b]0;owned\x07", "\u202eevil", "\0\r\n", "ü😀", "x".repeat(int(5000)), "", "{", "v=0", `${int(1e9)}`]);

// A real SDP answer from werift, to mutate: most of a malformed answer is usually well-formed.
let templateSdp = "";

function mutateSdp(sdp: string): string {
  let lines = sdp.split("\r\n");
  for (let k = 1 + int(4); k > 0; k--) {
    const at = int(lines.length);
    switch (int(9)) {
      case 0: lines.splice(at, 1); break;
      case 1: lines.splice(at, 0, lines[at] ?? ""); break;
      case 2: lines[at] = (lines[at] ?? "").replace(/\d+/g, () => pick(["0", "-1", "4294967296", "99999999999999999999", "NaN", ""])); break;
      case 3: lines.splice(at, 0, pick(["m=video 0 RTP/AVP 0", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "a=candidate:1 1 udp x 999.1.1.1 -5 typ host", "a=fingerprint:sha-256 ZZ", "a=rtpmap:96", "a=ssrc:x", "a=group:BUNDLE 7 8 9", "c=IN IP6 ::1"])); break;
      case 4: lines[at] = noise(); break;
      case 5: lines = lines.slice(0, at); break;
      case 6: lines[at] = (lines[at] ?? "").slice(0, int(20)); break;
      case 7: lines.splice(at, 0, `a=${bytes(int(40)).toString("latin1")}`); break;
      default: lines = lines.map((l) => l.replace(/^a=(ice-ufrag|ice-pwd|setup|mid):.*/, (m) => (rand() < 0.5 ? `${m.split(":")[0]}:` : m)));
    }
  }
  return lines.join(pick(["\r\n", "\n", "\r"]));
}

function fuzzJsonBody(): string {
  switch (int(8)) {
    case 0: return JSON.stringify({ type: "answer", sdp: mutateSdp(templateSdp), sessionid: pick([1, "s", null, {}, noise()]) });
    case 1: return JSON.stringify({ code: pick([-1, 0, "0", 500, null, [1]]), msg: pick([noise(), null, { nested: noise() }, 42]) });
    case 2: return JSON.stringify(pick([null, [], 1, "answer", true, { type: "offer", sdp: templateSdp }, { sdp: 5 }, { type: noise() }]));
    case 3: return "[".repeat(int(100_000)) + "]".repeat(int(100_000));
    case 4: return bytes(int(2000)).toString("latin1");
    case 5: return JSON.stringify({ type: "answer", sdp: templateSdp, error: noise() });
    case 6: return JSON.stringify({ type: "answer", sdp: `v=0\r\n${"a".repeat(300_000)}` });
    default: return JSON.stringify({ type: "answer", sdp: mutateSdp(templateSdp) });
  }
}

/** One raw HTTP response: status line, headers, body and how the connection ends (`cutAt` bytes of the body when cut); `hop` is where a redirect leads. */
type RawResponse = { head: string; body: Buffer; end: "end" | "cut" | "hang"; cutAt: number };
function fuzzHttpResponse(base: string, id: number, hop: number, whep: boolean): RawResponse {
  const body = Buffer.from(whep && rand() < 0.6 ? mutateSdp(templateSdp) : fuzzJsonBody(), "latin1");
  const status = pick(["200 OK", "201 Created", "201 Created", "307 Temporary Redirect", "308 Permanent Redirect", "302 Found", "404 Not Found", "401 Unauthorized", "500 \x1b[31mBoom", "999 Weird", "abc", "200 " + "x".repeat(int(20_000))]);
  const statusLine = pick([`HTTP/1.1 ${status}`, `HTTP/1.1 ${status}`, `HTTP/1.1 ${status}`, "HTTP/2 200", "garbage", `HTTP/1.1 ${status}\0`]);
  const headers: string[] = [];
  if (rand() < 0.8) headers.push(`Content-Length: ${pick([body.length, body.length, body.length + 10, Math.max(0, body.length - 10), -1, "x", 1 << 30])}`);
  else headers.push("Transfer-Encoding: chunked");
  if (rand() < 0.5) headers.push(`Content-Type: ${pick(["application/json", "application/sdp", "text/html", noise()])}`);
  if (rand() < 0.5) {
    headers.push(`Location: ${pick([`/case/${id}/${hop + 1}`, `${base}/case/${id}/${hop + 1}`, "http://127.0.0.2:9/elsewhere", "http://[", "javascript:alert(1)", "", `/${"l".repeat(int(9000))}`, noise()])}`);
  }
  if (rand() < 0.2) headers.push(`X-${noise().replace(/[\r\n]/g, "")}: ${noise().replace(/[\r\n]/g, "")}`);
  const payload = headers.includes("Transfer-Encoding: chunked")
    ? Buffer.concat([Buffer.from(`${pick([body.length.toString(16), "zz", "ffffffff"])}\r\n`), body, Buffer.from(pick(["\r\n0\r\n\r\n", "", "\r\n"]))])
    : body;
  return { head: `${statusLine}\r\n${headers.join("\r\n")}\r\n\r\n`, body: payload, end: pick(["end", "end", "end", "cut", "hang"]), cutAt: int(payload.length + 1) };
}

type WsAction = { send: string | Buffer } | { close: [number, string] } | "terminate" | "nothing";

function fuzzWsActions(): WsAction[] {
  const actions: WsAction[] = [];
  for (let k = 1 + int(3); k > 0; k--) {
    actions.push(
      pick<WsAction>([
        { send: fuzzJsonBody() },
        { send: fuzzJsonBody() },
        { send: JSON.stringify({ type: "candidate", candidate: noise() }) },
        { send: bytes(int(500)) },
        { close: [pick([1000, 1001, 1008, 1011, 3000, 4999]), noise().slice(0, 40).replace(/[^\x20-\x7e]/g, "?")] },
        "terminate",
        "nothing",
      ]),
    );
  }
  return actions;
}

// The raw HTTP cases and the WebSocket cases, keyed by id in the URL path (`/case/<id>/<hop>`).
const httpCases = new Map<number, RawResponse[]>();
// A case answers at most this many requests (its redirects); more get a 404.
const maxHops = 6;
const wsCases = new Map<number, WsAction[]>();
let httpServer: TcpServer;
let httpBase = "";
let wsServer: ReturnType<typeof createHttpServer>;
let wss: WebSocketServer;
let wsBase = "";
const openSockets = new Set<Socket>();

function serveRawHttp(socket: Socket): void {
  openSockets.add(socket);
  socket.on("close", () => openSockets.delete(socket));
  socket.on("error", () => undefined);
  let request = "";
  socket.on("data", (chunk) => {
    if (request.includes("\r\n\r\n")) return;
    request += chunk.toString("latin1");
    if (!request.includes("\r\n\r\n")) return;
    const match = /^\w+ \/case\/(\d+)\/(\d+)/.exec(request);
    const response = match ? httpCases.get(Number(match[1]))?.[Number(match[2])] : undefined;
    if (!response) return void socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    socket.write(response.head, "latin1");
    if (response.end === "cut") return void socket.end(response.body.subarray(0, response.cutAt), () => socket.destroy());
    if (response.end === "end") socket.end(response.body);
    else socket.write(response.body);
  });
}

before(async () => {
  const offerer = createLoopbackPeer();
  const answerer = createLoopbackPeer();
  offerer.addTransceiver("audio", { direction: "recvonly" });
  offerer.addTransceiver("video", { direction: "recvonly" });
  await offerer.setLocalDescription(await offerer.createOffer());
  await answerer.setRemoteDescription(offerer.localDescription!);
  await answerer.setLocalDescription(await answerer.createAnswer());
  templateSdp = answerer.localDescription!.sdp;
  await Promise.all([offerer.close(), answerer.close()]);

  httpServer = createTcpServer(serveRawHttp);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  httpBase = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  wsServer = createHttpServer((_req, res) => res.writeHead(404).end());
  wss = new WebSocketServer({ server: wsServer });
  wss.on("connection", (socket: WebSocket, req: IncomingMessage) => {
    socket.on("error", () => undefined);
    const actions = wsCases.get(Number(/\/case\/(\d+)/.exec(req.url ?? "")?.[1])) ?? [];
    socket.once("message", () => {
      for (const action of actions) {
        if (socket.readyState !== socket.OPEN) return;
        if (action === "terminate") return void socket.terminate();
        if (action === "nothing") return;
        if ("send" in action) socket.send(action.send);
        else socket.close(...action.close);
      }
    });
  });
  await new Promise<void>((resolve) => wsServer.listen(0, "127.0.0.1", resolve));
  wsBase = `ws://127.0.0.1:${(wsServer.address() as AddressInfo).port}`;
});

after(async () => {
  for (const socket of openSockets) socket.destroy();
  for (const client of wss.clients) client.terminate();
  wss.close();
  wsServer.closeAllConnections();
  await new Promise<void>((resolve) => wsServer.close(() => resolve()));
  await new Promise<void>((resolve) => httpServer.close(() => resolve()));
});

// What a terminal or report would act on: any control character, and the bidi overrides.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function assertOneClearLine(result: BenchResult, label: string): void {
  for (const reason of [result.incompleteReason, ...(result.sessions ?? []).map((s) => s.error)]) {
    if (reason === null) continue;
    assert.ok(reason.length > 0 && reason.length <= 1000, `${label}: reason of ${reason.length} characters`);
    assert.doesNotMatch(reason, unsafe, `${label}: ${JSON.stringify(reason)}`);
  }
  for (const session of result.sessions ?? []) if (session.sessionId !== null) assert.doesNotMatch(session.sessionId, unsafe, `${label}: session id`);
}

async function inParallel<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < items.length) await run(items[next++]!);
  }));
}

// Anything thrown where no one catches it is a crash of avsync in the field.
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => void escaped.push(error);

test(`malformed signaling answers (seed ${seed}): each ends in a result with one clear line, nothing escapes`, { timeout: 60_000 }, async (t) => {
  t.diagnostic(`seed ${seed} (AVSYNC_FUZZ_SEED replays it)`);
  rand = random(seed + 1);
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  const startedAt = performance.now();
  try {
    const cases: Array<{ id: number; target: SignalingTarget }> = [];
    for (let id = 0; id < signalingCases; id++) {
      const flavour = pick(["ws-json", "http-offer", "whep"] as const);
      if (flavour === "ws-json") wsCases.set(id, fuzzWsActions());
      else httpCases.set(id, Array.from({ length: maxHops }, (_, hop) => fuzzHttpResponse(httpBase, id, hop, flavour === "whep")));
      const url = flavour === "ws-json" ? `${wsBase}/case/${id}` : `${httpBase}/case/${id}/0`;
      cases.push({ id, target: { kind: flavour, url } });
    }
    const outcomes = new Map<string, number>();
    await inParallel(cases, async ({ id, target }) => {
      const result = await runBench({
        durationS: 1,
        mode: "paced",
        pattern: {},
        injections: noInjections,
        flags: {},
        target,
        signalingTimeoutMs: 700,
        mediaTimeoutMs: 500,
      });
      assertOneClearLine(result, `case ${id} (${target.kind})`);
      const kind = (result.incompleteReason ?? "complete").replace(/https?:\/\/\S+|ws:\/\/\S+|`[^`]*`|\d+/g, "…").slice(0, 70);
      outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
    });
    for (const [kind, count] of [...outcomes].sort((a, b) => b[1] - a[1])) t.diagnostic(`${String(count).padStart(3)} × ${kind}`);
    t.diagnostic(`${signalingCases} cases in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    assert.deepEqual(escaped.map(String), []);
  } finally {
    process.off("uncaughtException", onEscape);
    process.off("unhandledRejection", onEscape);
  }
});

function fuzzPackets(kind: "audio" | "video", count: number): RecordedPacket[] {
  let seq = int(65536);
  let rtpTs = int(2 ** 32);
  let arrivalMs = 1000;
  return Array.from({ length: count }, () => {
    seq = (seq + pick([1, 1, 1, 0, -1, 2, 30_000, int(65536)])) & 0xffff;
    rtpTs = (rtpTs + pick([960, 3000, 0, -3000, 2 ** 31, int(2 ** 32)])) >>> 0;
    arrivalMs += pick([20, 33, 0, 0.001, 500, 5000]) * rand();
    const payload = pick([
      () => bytes(int(1400)),
      () => Buffer.alloc(0),
      () => Buffer.from([0x10, ...bytes(int(30))]),
      () => Buffer.from([0x90, 0x80, ...bytes(int(100))]),
      () => Buffer.from([0xff, 0xff, 0xff, 0xff]),
      () => (kind === "audio" ? Buffer.from([0xfc, ...bytes(int(60))]) : Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, ...bytes(int(200))])),
    ])();
    return { seq, rtpTs, marker: rand() < 0.3, arrivalMs, payload };
  });
}

function fuzzRecording(): ProbeRecording {
  const stream = (kind: "audio" | "video") => ({
    ssrc: int(2 ** 32),
    packets: fuzzPackets(kind, pick([0, 1, 2, 50, 300])),
    senderReports: Array.from({ length: int(6) }, () => ({
      ntpMs: pick([0, 1.7e12 + rand() * 1e4, -1, 2 ** 53, 1.7e12]),
      rtpTs: int(2 ** 32),
      arrivalMs: 1000 + rand() * 10_000,
      packetCount: int(2 ** 32),
    })),
  });
  return { startedAtMs: 0, connectedAtMs: pick([500, 1000]), endedAtMs: 12_000, audio: stream("audio"), video: stream("video") };
}

test(`malformed RTP/RTCP recordings (seed ${seed}): each is measured or its session gets one clear line`, { timeout: 60_000 }, async (t) => {
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  rand = random(seed + 2);
  const startedAt = performance.now();
  const unmeasured: string[] = [];
  try {
    for (let i = 0; i < recordingCases; i++) {
      const recording = fuzzRecording();
      const content = pick<ContentMode>(["auto", "indexed", "flash-beep", "none"]);
      const label = `recording ${i} (${content}, ${recording.audio.packets.length} audio, ${recording.video.packets.length} video packets)`;
      const outcome = await measureOrExplain(recording, defaultPatternOptions, { content });
      if (outcome.measurements) assert.equal(typeof outcome.measurements.continuity.video.frames, "number", label);
      else {
        assert.ok(outcome.error.length <= 1000 && !unsafe.test(outcome.error), `${label}: ${JSON.stringify(outcome.error)}`);
        unmeasured.push(`${label}: ${outcome.error}`);
      }
    }
    // A recording the probe could not measure is a finding for the measurement code (the bench stays whole): shown, not hidden.
    for (const line of unmeasured) t.diagnostic(`not measured: ${line}`);
    t.diagnostic(`${recordingCases} recordings in ${((performance.now() - startedAt) / 1000).toFixed(1)} s, ${unmeasured.length} not measured`);
    assert.deepEqual(escaped.map(String), []);
  } finally {
    process.off("uncaughtException", onEscape);
    process.off("unhandledRejection", onEscape);
  }
});

// A real werift answerer that, once connected, sends a stream of malformed RTP (random headers:
// padding, extensions, CSRCs, payload types, sequence and timestamp jumps; random payloads) and
// RTCP (random bytes, Sender Reports with random fields) inside valid SRTP, as only the peer holding
// the keys can: the probe's receive path, recorder and measurement get all of it.
async function hostileMediaTarget(): Promise<{ url: string; close: () => Promise<void> }> {
  const peers = new Set<RTCPeerConnection>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createHttpServer((_req, res) => res.writeHead(404).end());
  const sockets = new WebSocketServer({ server });
  sockets.on("connection", (socket: WebSocket) => {
    socket.on("error", () => undefined);
    socket.once("message", async (data) => {
      const pc = createLoopbackPeer();
      peers.add(pc);
      await pc.setRemoteDescription({ type: "offer", sdp: (JSON.parse(data.toString()) as { sdp: string }).sdp });
      for (const transceiver of pc.getTransceivers()) {
        transceiver.setDirection("sendonly");
        await transceiver.sender.replaceTrack(new MediaStreamTrack({ kind: transceiver.kind as "audio" | "video" }));
      }
      await pc.setLocalDescription(await pc.createAnswer());
      socket.send(JSON.stringify({ type: "answer", sdp: pc.localDescription!.sdp }));
      await waitConnected(pc, 10_000);
      const senders = pc.getTransceivers().map((transceiver) => transceiver.sender);
      const timer = setInterval(() => {
        const sender = pick(senders);
        const transport = sender.dtlsTransport;
        if (rand() < 0.7) {
          const header = new RtpHeader({
            payloadType: pick([96, 97, 111, 0, 127, int(128)]),
            sequenceNumber: int(65536),
            timestamp: int(2 ** 32),
            ssrc: rand() < 0.9 ? sender.ssrc : int(2 ** 32),
            marker: rand() < 0.5,
            padding: rand() < 0.2,
            paddingSize: int(256),
            csrcLength: int(3),
            csrc: Array.from({ length: int(3) }, () => int(2 ** 32)),
          });
          void transport.sendRtp(bytes(int(1200)), header).catch(() => undefined);
        } else {
          const packet: RtcpPacket =
            rand() < 0.5
              ? (({ serialize: () => bytes(4 + int(120)) }) as unknown as RtcpPacket)
              : new RtcpSrPacket({
                  ssrc: sender.ssrc,
                  senderInfo: new RtcpSenderInfo({ ntpTimestamp: BigInt(int(2 ** 32)) << 32n, rtpTimestamp: int(2 ** 32), packetCount: int(2 ** 32), octetCount: int(2 ** 32) }),
                });
          void transport.sendRtcp([packet]).catch(() => undefined);
        }
      }, 4);
      timers.add(timer);
      socket.on("close", () => clearInterval(timer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.all([...peers].map((pc) => pc.close()));
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test(`malformed RTP and RTCP inside real SRTP (seed ${seed}): a result or one clear line, nothing escapes`, { timeout: 60_000 }, async (t) => {
  process.on("uncaughtException", onEscape);
  process.on("unhandledRejection", onEscape);
  rand = random(seed + 3);
  const target = await hostileMediaTarget();
  try {
    const result = await runBench({ durationS: hostileMediaS, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: { kind: "ws-json", url: target.url }, mediaTimeoutMs: 1000 });
    const received = result.sessions![0]!.received;
    t.diagnostic(`${received.audioPackets} audio, ${received.videoPackets} video packets; ${result.incompleteReason ?? "complete"}`);
    assertOneClearLine(result, "hostile media");
    assert.ok(received.audioPackets + received.videoPackets > 0, "the malformed packets reached the probe");
    assert.deepEqual(escaped.map(String), []);
  } finally {
    await target.close();
    process.off("uncaughtException", onEscape);
    process.off("unhandledRejection", onEscape);
  }
});
