// The script of the viewer page (served by the embedded target at `/`). One script does it all in
// the browser: negotiates over the target's WebSocket, renders the stream in a <video>, finds the
// flash in every presented frame (requestVideoFrameCallback) and the beep onset in the played audio
// (AudioWorklet), pairs them by marker code, and shows the offset live. `avsync bench --probe
// browser` loads the same page headless and reads `window.avsync` (ViewerPageState).
// Offsets follow DESIGN §3: offset = t(video) − t(audio) in ms, positive = audio leads.
// Type-checked with the rest (tsconfig.test.json); `npm run build` bundles it for the browser
// (scripts/build-page.mjs → dist/viewer-app.js), and renderViewerPage inlines that bundle.
import type { BrowserStatsSample, ViewerPageState } from "../browser-result.js";
import type { ViewerConfig } from "./viewer-config.js";

// What the page's other scripts define: Chart.js (inlined UMD) and the onset detector (onset-worklet.ts).
interface Onset {
  onsetFrame: number;
  markerCode: number;
  peak: number;
  toneContrast: number | null;
}
interface OnsetDetector {
  sampleRate: number;
  push(samples: Float32Array, startFrame: number): void;
}
interface ScatterChart {
  data: { datasets: { data: { x: number; y: number }[] }[] };
  update(mode: string): void;
}
// MediaStreamTrackProcessor (Chromium's insertable streams) is not in TypeScript's DOM library yet.
interface AudioDataLike {
  numberOfFrames: number;
  sampleRate: number;
  timestamp: number;
  copyTo(destination: Float32Array, options: { planeIndex: number; format: string }): void;
  close(): void;
}
declare const BeepOnsetDetector: new (options: { frequenciesHz: number[]; beepMs: number }, sampleRate: number, emit: (onset: Onset) => void | Promise<void>) => OnsetDetector;
declare const Chart: (new (canvas: HTMLElement, config: object) => ScatterChart) | undefined;
declare const MediaStreamTrackProcessor: (new (init: { track: MediaStreamTrack }) => { readable: ReadableStream<AudioDataLike> }) | undefined;

declare global {
  interface Window {
    avsyncConfig: ViewerConfig;
    avsync: PageState;
    avsyncPeer?: RTCPeerConnection;
    avsyncSignaling?: WebSocket;
  }
}

type Marker = ViewerPageState["markers"][number];
interface Flash {
  markerCode: number;
  displayMs: number;
  presentationMs: number | null;
  rtpTimestamp: number | null;
  captureTimeMs: number | null;
  receiveTimeMs: number | null;
  processingDurationS: number | null;
  lumaMean: number | null;
  estimated: boolean;
  namedByRtp?: boolean;
  backFrames?: number;
  spanFrames?: number;
  spanMs?: number;
  paired: boolean;
}
interface Beep {
  markerCode: number;
  heardMs: number;
  pullMs: number | null;
  playoutDelayMs: number | null;
  peak: number;
  toneContrast: number | null;
  paired: boolean;
}
interface AddedDelay {
  audioMs: number | null;
  videoMs: number | null;
  changedAtMs: number;
}
interface PageState extends ViewerPageState {
  audio: { sampleRate: number; clock: "track-playout" | "web-audio" | null; baseLatencyMs: number; outputLatencyMs: number | null } | null;
  rtpAnchor: { rtp: number; code: number } | null;
  flashes: Flash[];
  beeps: Beep[];
  webAudioBeeps?: Omit<Beep, "pullMs" | "playoutDelayMs" | "paired">[];
  addedDelay: AddedDelay | null;
  lastPresentedFrames?: number;
  lastCode?: number;
  lastCodePresentedFrames?: number;
  lastCodeDisplayMs?: number;
}

const cfg = window.avsyncConfig;
const state: PageState = {
  phase: "idle",
  error: null,
  startedAtMs: null,
  connectedAtMs: null,
  firstFrameAtMs: null,
  audio: null,
  frames: { presented: 0, unreadable: 0, repeated: 0, skipped: 0, compositorMissed: 0, notPresented: 0, drawnAhead: 0 },
  rtpAnchor: null,
  flashes: [],
  unseenFlashes: [],
  beeps: [],
  markers: [],
  stats: [],
  playoutDelayMs: null,
  addedDelay: null,
};
window.avsync = state;
const periodMs = cfg.markerPeriodS * 1000;
const framesPerMarker = Math.round(cfg.markerPeriodS * cfg.fps);
const loopFrames = framesPerMarker * cfg.loopMarkers;
const $ = (id: string): HTMLElement => document.getElementById(id)!;

function setPhase(phase: string, detail?: string | null): void {
  state.phase = phase;
  $("phase").textContent = detail ? phase + ": " + detail : phase;
}

function fail(error: unknown): void {
  state.error = String(error && (error as Error).message ? (error as Error).message : error);
  setPhase("failed", state.error);
}

// The pattern's frame code: 12 bits of index and a 4-bit check, as src/lib/media/frame-code.ts draws it.
function checkNibble(i: number): number {
  return ((i & 0xf) + ((i >> 4) & 0xf) + ((i >> 8) & 0xf) + 0xa) & 0xf;
}

function lumaAt(px: Uint8ClampedArray, width: number, x: number, y: number): number {
  const k = (y * width + x) * 4;
  return 0.299 * px[k]! + 0.587 * px[k + 1]! + 0.114 * px[k + 2]!;
}

function readFrame(px: Uint8ClampedArray): { frameCode: number | null; lumaMean: number; flash: boolean } {
  const w = cfg.width;
  const s = cfg.strip;
  let sum = 0;
  let count = 0;
  for (let y = 2; y < s.bandTop - 2; y += 4) {
    for (let x = 2; x < w; x += 4) {
      sum += lumaAt(px, w, x, y);
      count++;
    }
  }
  const lumaMean = sum / count;
  const m = s.blockPx / 4;
  let word = 0;
  for (let bit = 0; bit < 16; bit++) {
    const x0 = s.x0 + bit * s.blockPx;
    let bs = 0;
    let bc = 0;
    for (let y = s.y0 + m; y < s.y0 + s.blockPx - m; y += 2) {
      for (let x = x0 + m; x < x0 + s.blockPx - m; x += 2) {
        bs += lumaAt(px, w, x, y);
        bc++;
      }
    }
    word = (word << 1) | (bs / bc > 128 ? 1 : 0);
  }
  const code = word >> 4;
  return { frameCode: (word & 0xf) === checkNibble(code) ? code : null, lumaMean, flash: lumaMean > 128 };
}

// Pairs a new flash or beep with the unpaired event of the other kind carrying the same marker
// code within half a loop (the node probe's rule): codes repeat only once a loop, so a lost marker
// can never pair with the wrong one, and an offset of more than half a period is still measured.
function tryPair(): void {
  for (const f of state.flashes) {
    if (f.paired) continue;
    let best: Beep | null = null;
    for (const b of state.beeps) {
      if (b.paired || b.markerCode !== f.markerCode) continue;
      const d = Math.abs(f.displayMs - b.heardMs);
      if (d < (periodMs * cfg.loopMarkers) / 2 && (!best || d < Math.abs(f.displayMs - best.heardMs))) best = b;
    }
    if (!best) continue;
    f.paired = best.paired = true;
    const marker: Marker = {
      markerCode: f.markerCode,
      flashDisplayMs: f.displayMs,
      beepHeardMs: best.heardMs,
      beepPullMs: best.pullMs,
      playoutDelayMs: best.playoutDelayMs,
      offsetMs: f.displayMs - best.heardMs,
      flashEstimated: f.estimated,
      flashBackFrames: f.estimated ? f.backFrames! : 0,
      flashSpan: f.estimated ? { frames: f.spanFrames!, ms: f.spanMs! } : null,
      flashNamedByRtp: f.namedByRtp === true,
      flashPresentationMs: f.presentationMs,
      flashRtpTimestamp: f.rtpTimestamp,
      flashCaptureTimeMs: f.captureTimeMs,
      flashReceiveTimeMs: f.receiveTimeMs,
    };
    state.markers.push(marker);
    showMarker(marker);
  }
}

let chart: ScatterChart | null = null;
function showMarker(marker: Marker): void {
  $("offset").textContent = (marker.offsetMs >= 0 ? "+" : "") + marker.offsetMs.toFixed(1) + " ms";
  const recent = state.markers
    .slice(-10)
    .map((m) => m.offsetMs)
    .sort((a, b) => a - b);
  const median = recent[Math.floor(recent.length / 2)]!;
  $("median").textContent = (median >= 0 ? "+" : "") + median.toFixed(1) + " ms (median of last " + recent.length + ")";
  $("paired").textContent = String(state.markers.length);
  $("offset").className = Math.abs(marker.offsetMs) <= 45 ? "good" : "bad";
  if (chart) {
    chart.data.datasets[0]!.data.push({ x: (marker.flashDisplayMs - state.connectedAtMs!) / 1000, y: marker.offsetMs });
    if (chart.data.datasets[0]!.data.length > 300) chart.data.datasets[0]!.data.shift();
    chart.update("none");
  }
}

// The content frame this callback presented. The canvas gets the video's current frame, which is
// the callback's own unless the callback ran late and the next one was already up: then the canvas
// reads one or two frames ahead while the callback's rtpTimestamp still names the presented frame.
// Where RTP timestamps track the content (the paced pusher), the presented frame is named from them,
// counted from the last frame whose pixels and timestamp agreed; elsewhere the pixels are all there is.
const ticksPerFrame = 90000 / cfg.fps;
function presentedCode(drawnCode: number | null, md: VideoFrameCallbackMetadata): number | null {
  if (drawnCode === null || !cfg.rtpLockedContent || typeof md.rtpTimestamp !== "number") return drawnCode;
  const anchor = state.rtpAnchor;
  if (anchor) {
    let ticks = (md.rtpTimestamp - anchor.rtp) >>> 0;
    if (ticks >= 2 ** 31) ticks -= 2 ** 32;
    const rtpCode = (((anchor.code + Math.round(ticks / ticksPerFrame)) % loopFrames) + loopFrames) % loopFrames;
    const ahead = (drawnCode - rtpCode + loopFrames) % loopFrames;
    if (ahead === 1 || ahead === 2) {
      state.frames.drawnAhead++;
      return rtpCode;
    }
  }
  state.rtpAnchor = { rtp: md.rtpTimestamp, code: drawnCode };
  return drawnCode;
}

function onFrame(video: HTMLVideoElement, ctx2d: CanvasRenderingContext2D): void {
  const step: VideoFrameRequestCallback = (now, md) => {
    try {
      state.frames.presented++;
      if (state.firstFrameAtMs === null) state.firstFrameAtMs = now;
      const presentedDelta = state.lastPresentedFrames === undefined ? 1 : md.presentedFrames - state.lastPresentedFrames;
      if (presentedDelta > 1) state.frames.compositorMissed += presentedDelta - 1;
      state.lastPresentedFrames = md.presentedFrames;
      ctx2d.drawImage(video, 0, 0, cfg.width, cfg.height);
      const reading = readFrame(ctx2d.getImageData(0, 0, cfg.width, cfg.height).data);
      const code = presentedCode(reading.frameCode, md);
      if (code === null) {
        state.frames.unreadable++;
      } else {
        if (state.lastCode !== undefined) {
          const d = (code - state.lastCode + loopFrames) % loopFrames;
          // Frames presented since the last readable one, this one included (an unreadable one was presented too).
          const presentedSince = md.presentedFrames - state.lastCodePresentedFrames!;
          if (d === 0) state.frames.repeated++;
          else state.frames.skipped += d - 1;
          if (d > presentedSince) state.frames.notPresented += d - presentedSince;
          // A flash is one frame. When the page's callback missed frames the compositor did present
          // (presentedFrames moved by at least as many), a flash among them was on screen: it is
          // timed back from this frame by whole frame periods and marked estimated. Frames the
          // browser never presented (presentedFrames moved by less) were never seen, and neither was
          // their flash: it is listed as unseen, with whether the browser surely dropped it (no frame
          // presented in between) or may have shown it among the few it did present.
          const flashCode = Math.ceil((state.lastCode + 1) / framesPerMarker) * framesPerMarker;
          const back = (code - flashCode + loopFrames) % loopFrames;
          if (d > 1 && back > 0 && back < d) {
            const markerCode = (flashCode % loopFrames) / framesPerMarker;
            const atMs = md.expectedDisplayTime - (back * 1000) / cfg.fps;
            if (presentedSince >= d) {
              state.flashes.push({
                markerCode,
                displayMs: atMs,
                presentationMs: null,
                rtpTimestamp: null,
                captureTimeMs: null,
                receiveTimeMs: null,
                processingDurationS: null,
                lumaMean: null,
                estimated: true,
                backFrames: back,
                // The frames it was timed across, and how long they really took on screen: the
                // estimate assumes one frame period each, which a stalled compositor breaks.
                spanFrames: d,
                spanMs: md.expectedDisplayTime - state.lastCodeDisplayMs!,
                paired: false,
              });
              tryPair();
            } else {
              state.unseenFlashes.push({ markerCode, nearMs: atMs, surelyDropped: presentedSince <= 1 });
            }
          }
        }
        state.lastCode = code;
        state.lastCodePresentedFrames = md.presentedFrames;
        state.lastCodeDisplayMs = md.expectedDisplayTime;
        // The flash frame: seen in the pixels, or named by its RTP timestamp when the canvas already
        // held the next frame (drawnAhead): presented all the same, at this callback's display time.
        if ((reading.flash || code !== reading.frameCode) && code % framesPerMarker === 0) {
          state.flashes.push({
            markerCode: code / framesPerMarker,
            estimated: false,
            namedByRtp: code !== reading.frameCode,
            displayMs: md.expectedDisplayTime,
            presentationMs: md.presentationTime,
            rtpTimestamp: md.rtpTimestamp === undefined ? null : md.rtpTimestamp,
            captureTimeMs: md.captureTime === undefined ? null : md.captureTime,
            receiveTimeMs: md.receiveTime === undefined ? null : md.receiveTime,
            processingDurationS: md.processingDuration === undefined ? null : md.processingDuration,
            lumaMean: code === reading.frameCode ? reading.lumaMean : null,
            paired: false,
          });
          tryPair();
        }
      }
    } catch (error) {
      fail(error);
    }
    video.requestVideoFrameCallback(step);
  };
  video.requestVideoFrameCallback(step);
}

const statFields = [
  "packetsReceived", "packetsLost", "jitter", "jitterBufferDelay", "jitterBufferTargetDelay", "jitterBufferMinimumDelay",
  "jitterBufferEmittedCount", "estimatedPlayoutTimestamp", "framesReceived", "framesDecoded", "framesDropped", "framesRendered",
  "freezeCount", "totalFreezesDuration", "totalSamplesReceived", "concealedSamples", "silentConcealedSamples",
  "concealmentEvents", "insertedSamplesForDeceleration", "removedSamplesForAcceleration", "totalProcessingDelay",
  "totalDecodeTime", "lastPacketReceivedTimestamp",
];

// A getStats() entry as this page reads it: every field is looked up by name.
type StatsEntry = Record<string, number | string | undefined> & { type: string; kind?: string };

let lastPlayout: { totalPlayoutDelay: number; totalSamplesCount: number } | null = null;
const lastInbound: Record<string, StatsEntry> = {};
// The delay the browser adds beyond what its jitter buffers need (jitterBufferTargetDelay −
// jitterBufferMinimumDelay per emitted frame or sample, over the last second): its A/V sync at work.
// Chromium changes it in ~16 ms steps until it leaves under 30 ms of offset; the rendered offset
// moves with each step, so a person watching sees when it has settled.
function showAddedDelay(tMs: number, kind: "audio" | "video", s: StatsEntry): void {
  const before = lastInbound[kind];
  lastInbound[kind] = s;
  const num = (entry: StatsEntry, field: string): number => entry[field] as number;
  if (!before || !(num(s, "jitterBufferEmittedCount") > num(before, "jitterBufferEmittedCount"))) return;
  const n = num(s, "jitterBufferEmittedCount") - num(before, "jitterBufferEmittedCount");
  const added =
    ((num(s, "jitterBufferTargetDelay") - num(before, "jitterBufferTargetDelay") - (num(s, "jitterBufferMinimumDelay") - num(before, "jitterBufferMinimumDelay"))) / n) * 1000;
  if (!Number.isFinite(added)) return;
  const prev = state.addedDelay;
  const value: AddedDelay = Object.assign({ audioMs: null, videoMs: null, changedAtMs: tMs }, prev);
  const key = kind === "audio" ? "audioMs" : "videoMs";
  const previous = value[key];
  value[key] = added;
  if (previous === null || Math.abs(previous - added) > 3) value.changedAtMs = tMs;
  state.addedDelay = value;
  const parts: string[] = [];
  if (value.videoMs !== null) parts.push("video +" + Math.max(0, value.videoMs).toFixed(0) + " ms");
  if (value.audioMs !== null) parts.push("audio +" + Math.max(0, value.audioMs).toFixed(0) + " ms");
  $("sync").textContent = parts.join(", ") + " (changed " + ((tMs - value.changedAtMs) / 1000).toFixed(0) + " s ago)";
}
async function sampleStats(pc: RTCPeerConnection): Promise<void> {
  const report = await pc.getStats();
  const tMs = performance.now();
  report.forEach((s: StatsEntry) => {
    if (s.type === "media-playout" && (s.totalSamplesCount as number) > 0) {
      const totalPlayoutDelay = s.totalPlayoutDelay as number;
      const totalSamplesCount = s.totalSamplesCount as number;
      // The device's playout delay over the last interval (or since the start, the first time).
      const from = lastPlayout && totalSamplesCount > lastPlayout.totalSamplesCount ? lastPlayout : { totalPlayoutDelay: 0, totalSamplesCount: 0 };
      state.playoutDelayMs = ((totalPlayoutDelay - from.totalPlayoutDelay) / (totalSamplesCount - from.totalSamplesCount)) * 1000;
      lastPlayout = { totalPlayoutDelay, totalSamplesCount };
    }
    if (s.type !== "inbound-rtp" && s.type !== "media-playout") return;
    if (s.type === "inbound-rtp" && (s.kind === "audio" || s.kind === "video")) showAddedDelay(tMs, s.kind, s);
    const row: BrowserStatsSample = { tMs, type: s.type, kind: s.kind || "audio" };
    for (const f of statFields) if (typeof s[f] === "number") row[f] = s[f];
    if (s.type === "media-playout") {
      for (const f of ["synthesizedSamplesDuration", "synthesizedSamplesEvents", "totalSamplesDuration", "totalPlayoutDelay", "totalSamplesCount"]) {
        if (typeof s[f] === "number") row[f] = s[f];
      }
    }
    if (s.type === "media-playout") row.playoutDelayMs = state.playoutDelayMs;
    state.stats.push(row);
  });
  if (state.stats.length > 20000) state.stats.splice(0, state.stats.length - 20000);
}

function waitIceGathering(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    pc.addEventListener("icegatheringstatechange", () => {
      if (pc.iceGatheringState === "complete") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function negotiate(offer: RTCSessionDescription): Promise<{ answer: RTCSessionDescriptionInit; ws: WebSocket }> {
  return new Promise((resolve, reject) => {
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + cfg.wsPath;
    const ws = new WebSocket(url);
    const timer = setTimeout(() => reject(new Error("the target did not answer the offer within 10 s")), 10000);
    ws.onopen = () => ws.send(JSON.stringify({ type: "offer", sdp: offer.sdp }));
    ws.onerror = () => reject(new Error("could not reach the signaling WebSocket at " + url));
    ws.onclose = (e) => reject(new Error("signaling closed before the answer (code " + e.code + (e.reason ? ": " + e.reason : "") + ")"));
    ws.onmessage = (e) => {
      const msg = JSON.parse(e.data as string) as { type?: string; sdp?: string };
      if (msg.type !== "answer") return;
      clearTimeout(timer);
      // The socket stays open: the target ends the session when it closes.
      resolve({ answer: { type: "answer", sdp: msg.sdp }, ws });
    };
  });
}

async function start(audioCtx: AudioContext): Promise<void> {
  if (state.phase !== "idle") return;
  state.startedAtMs = performance.now();
  setPhase("connecting");
  $("start").hidden = true;
  try {
    if (audioCtx.state !== "running") await audioCtx.resume();
    const blob = new Blob([document.getElementById("onset-worklet")!.textContent!], { type: "text/javascript" });
    await audioCtx.audioWorklet.addModule(URL.createObjectURL(blob));
    const pc = new RTCPeerConnection({ iceServers: [] });
    window.avsyncPeer = pc;
    pc.addTransceiver("audio", { direction: "recvonly" });
    pc.addTransceiver("video", { direction: "recvonly" });
    const stream = new MediaStream();
    const video = $("video") as HTMLVideoElement;
    pc.ontrack = (e) => {
      stream.addTrack(e.track);
      if (e.track.kind === "audio") listen(audioCtx, e.track, pc);
      video.srcObject = stream;
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "connected") {
        state.connectedAtMs = performance.now();
        setPhase("playing");
      } else if (pc.connectionState === "failed") {
        fail("the WebRTC connection failed (ICE could not pair with the target)");
      } else if (pc.connectionState === "disconnected" || pc.connectionState === "closed") {
        if (state.phase === "playing") setPhase("ended");
      }
    };
    await pc.setLocalDescription(await pc.createOffer());
    await waitIceGathering(pc, 3000);
    const { answer, ws } = await negotiate(pc.localDescription!);
    window.avsyncSignaling = ws;
    await pc.setRemoteDescription(answer);
    const canvas = document.createElement("canvas");
    canvas.width = cfg.width;
    canvas.height = cfg.height;
    onFrame(video, canvas.getContext("2d", { willReadFrequently: true })!);
    setInterval(() => sampleStats(pc).catch(() => undefined), 1000);
  } catch (error) {
    fail(error);
  }
}

// The beep as the viewer hears it: MediaStreamTrackProcessor hands out each 10 ms chunk with the
// performance.now() time the audio device pulled it for playout; the sound leaves the speakers one
// device playout delay later (getStats media-playout). Web Audio's copy of the track runs through
// a FIFO of its own and is heard tens of ms later than the <video> element's sound, so it is kept
// as a second reading only, and used alone where MediaStreamTrackProcessor is missing.
function listen(audioCtx: AudioContext, track: MediaStreamTrack, pc: RTCPeerConnection): void {
  const audio: NonNullable<PageState["audio"]> = { sampleRate: audioCtx.sampleRate, clock: null, baseLatencyMs: audioCtx.baseLatency * 1000, outputLatencyMs: null };
  state.audio = audio;
  const webAudioBeeps: NonNullable<PageState["webAudioBeeps"]> = [];
  state.webAudioBeeps = webAudioBeeps;
  const source = audioCtx.createMediaStreamSource(new MediaStream([track]));
  const node = new AudioWorkletNode(audioCtx, "beep-onset", {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    processorOptions: { frequenciesHz: cfg.frequenciesHz, beepMs: cfg.beepMs },
  });
  node.port.onmessage = (e: MessageEvent<Onset>) => {
    // The output timestamp maps the context's clock to performance.now() at the moment a sample leaves for the speakers.
    const ts = audioCtx.getOutputTimestamp();
    if (!(ts.performanceTime! > 0)) return;
    audio.outputLatencyMs = (audioCtx.outputLatency || 0) * 1000;
    const beep = {
      markerCode: e.data.markerCode,
      heardMs: ts.performanceTime! + (e.data.onsetFrame / audioCtx.sampleRate - ts.contextTime!) * 1000,
      peak: e.data.peak,
      toneContrast: e.data.toneContrast,
    };
    webAudioBeeps.push(beep);
    if (audio.clock === "web-audio") addBeep(Object.assign({ pullMs: null, playoutDelayMs: null }, beep));
  };
  source.connect(node);
  // The worklet writes silence; connecting it keeps the graph pulling it. The <video> element plays the sound.
  node.connect(audioCtx.destination);

  if (typeof MediaStreamTrackProcessor === "undefined") {
    audio.clock = "web-audio";
    return;
  }
  audio.clock = "track-playout";
  const chunks: { startFrame: number; pulledMs: number }[] = [];
  let frames = 0;
  let rate = 48000;
  const detector = new BeepOnsetDetector({ frequenciesHz: cfg.frequenciesHz, beepMs: cfg.beepMs }, rate, async (onset) => {
    let chunk: (typeof chunks)[number] | undefined;
    for (let i = chunks.length - 1; i >= 0 && !chunk; i--) if (chunks[i]!.startFrame <= onset.onsetFrame) chunk = chunks[i];
    if (!chunk) return;
    const pullMs = chunk.pulledMs + ((onset.onsetFrame - chunk.startFrame) * 1000) / rate;
    if (state.playoutDelayMs === null) await sampleStats(pc).catch(() => undefined);
    const delay = state.playoutDelayMs === null ? 0 : state.playoutDelayMs;
    addBeep({ markerCode: onset.markerCode, heardMs: pullMs + delay, pullMs, playoutDelayMs: state.playoutDelayMs, peak: onset.peak, toneContrast: onset.toneContrast });
  });
  const reader = new MediaStreamTrackProcessor({ track }).readable.getReader();
  (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const samples = new Float32Array(value.numberOfFrames);
      value.copyTo(samples, { planeIndex: 0, format: "f32-planar" });
      if (value.sampleRate !== rate) {
        rate = value.sampleRate;
        detector.sampleRate = rate;
      }
      chunks.push({ startFrame: frames, pulledMs: value.timestamp / 1000 });
      if (chunks.length > 400) chunks.shift();
      value.close();
      detector.push(samples, frames);
      frames += samples.length;
    }
  })().catch(fail);
}

function addBeep(beep: Omit<Beep, "paired">): void {
  state.beeps.push({ ...beep, paired: false });
  tryPair();
}

function setUpChart(): void {
  if (typeof Chart === "undefined") return;
  chart = new Chart($("chart"), {
    type: "scatter",
    data: { datasets: [{ label: "offset per marker (ms)", data: [], borderColor: "#1d4ed8", backgroundColor: "#1d4ed8", pointRadius: 3, showLine: true, borderWidth: 1 }] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: "time since connected (s)" } },
        y: { title: { display: true, text: "video − audio (ms), + = audio leads" }, suggestedMin: -150, suggestedMax: 100 },
      },
      plugins: { legend: { display: false } },
    },
  });
}

window.addEventListener("load", () => {
  setUpChart();
  const audioCtx = new AudioContext({ sampleRate: 48000, latencyHint: "interactive" });
  $("start").onclick = () => start(audioCtx);
  // Where autoplay is allowed (a headless probe, or a browser that trusts this page) it starts at once;
  // otherwise a click is needed before sound may play.
  if (audioCtx.state === "running") void start(audioCtx);
  else setPhase("idle", "press Start to watch and listen");
});
