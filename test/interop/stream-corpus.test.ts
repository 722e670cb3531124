// test: system, group media:2
// Issue 17's corpus: sync clips made by ffmpeg (test/helpers/sync-clip.ts), streamed to avsync by
// two independent WebRTC senders at real resolutions, measured by `runBench --target` as a user
// would: aiortc's MediaPlayer (fixtures/aiortc/file_server.py) and GStreamer's webrtcbin
// (fixtures/gstreamer/webrtc_sender.py). The truth is the clip's offset and each sender's ledger.
// Tolerances (measured noise, see docs/targets.md "Stream corpus"):
// - sender clock ±1 ms: both senders' SRs map RTP time to each frame's scheduled time, so only
//   avsync's own detection error remains (≤ 0.3 ms on clips, test/lib/probe/measure-clips.test.ts;
//   read within 0.1 ms here);
// - at arrival ±3 ms for the median marker, of the clip's offset plus what the sender itself added
//   to that marker by its own ledger (GET /ledger: each frame's delay from its schedule to its last
//   packet sent), after taking off each marker's error what the probe's own account of its loop
//   stalls explains (as test/e2e/bench-injections.test.ts does). Three runs, one with a busy loop
//   holding a core: per-marker errors −3.4…+7.9 ms, each within its stalls plus 1.7 ms.
// A sender whose ledger says it fell more than maxBehindMs behind its schedule did not send the
// clip as timed (an un-indexed clip's pairing then wraps by a period): such a run fails with that
// figure instead of being judged (after one more try), as it says the fixture cannot keep up on this machine. Seen:
// ≤ 89 ms in passing runs; 0.9–3.5 s for GStreamer at 720p and 1080p when it still encoded the video
// live and another process held a core (it now sends video ffmpeg encoded offline: ≤ 10 ms behind).
import { strict as assert } from "node:assert";
import { after, describe, test } from "node:test";
import { runBench, type BenchResult } from "../../src/lib/bench/index.js";
import { probeStallBoundMs } from "../helpers/pusher-ledger.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { parseTargetUrl } from "../../src/lib/signaling/index.js";
import { aiortcMissing, gstreamerMissing, startFixtureServer, type AiortcServer } from "../helpers/aiortc-server.js";
import { encodeClipVideo, ffmpegMissing, makeSyncClip, type SyncClip, type SyncClipSpec } from "../helpers/sync-clip.js";

const senderToleranceMs = 1;
const arrivalToleranceMs = 3;
const maxBehindMs = 250;

type Sender = "aiortc" | "gstreamer";

interface CorpusCase {
  sender: Sender;
  codec: "VP8" | "H264";
  clip: SyncClipSpec;
}

// Niceness (as root): aiortc encodes, paces and stamps its SRs in Python at −10, like avsync's own
// pusher thread. GStreamer's readers and audio encoder run at −5, below avsync's probe (−10) and above a
// busy neighbour (0); its sending threads raise themselves to −10 (fixtures/gstreamer/webrtc_sender.py).
const senders: Record<Sender, { fixture: string; args: (c: CorpusCase, clip: SyncClip) => string[]; missing: () => string | null; nice: number }> = {
  aiortc: { fixture: "aiortc/file_server.py", args: (c, clip) => ["--file", clip.path, "--video-codec", c.codec], missing: aiortcMissing, nice: -10 },
  gstreamer: {
    fixture: "gstreamer/webrtc_sender.py",
    nice: -5,
    args: (c, clip) => ["--file", clip.path, "--video-codec", c.codec, "--video-file", encodeClipVideo(clip, c.codec, c.clip.height >= 1080 ? 4_000_000 : 2_000_000)],
    missing: gstreamerMissing,
  },
};

// Every value of the issue appears somewhere: 640x360, 1280x720, 1920x1080; 25 and 30 fps; 1 kHz/60 ms
// and 440 Hz/200 ms; 1- and 2-frame flashes; offsets −120, 0, +80; clip audio at 16–48 kHz. aiortc
// encodes in Python's threads with libx264's default (medium) preset, which fell 1.4 s behind at
// 720p with the other core busy, so its cases stay at 640x360 and GStreamer carries 720p and 1080p.
const cases: CorpusCase[] = [
  { sender: "aiortc", codec: "VP8", clip: { width: 640, height: 360, fps: 25, flashFrames: 1, beepHz: 1000, beepMs: 60, sampleRate: 48_000, offsetMs: 80, durationS: 6 } },
  { sender: "aiortc", codec: "H264", clip: { width: 640, height: 360, fps: 30, flashFrames: 2, beepHz: 440, beepMs: 200, sampleRate: 44_100, offsetMs: -120, durationS: 6 } },
  { sender: "gstreamer", codec: "H264", clip: { width: 1920, height: 1080, fps: 30, flashFrames: 2, beepHz: 1000, beepMs: 60, sampleRate: 16_000, offsetMs: 0, durationS: 6 } },
  { sender: "gstreamer", codec: "VP8", clip: { width: 1280, height: 720, fps: 25, flashFrames: 1, beepHz: 440, beepMs: 200, sampleRate: 24_000, offsetMs: -120, durationS: 6 } },
  { sender: "gstreamer", codec: "H264", clip: { width: 1280, height: 720, fps: 30, flashFrames: 1, beepHz: 1000, beepMs: 60, sampleRate: 48_000, offsetMs: 80, durationS: 6 } },
];

function describeCase(c: CorpusCase): string {
  const s = c.clip;
  return `${c.sender} ${c.codec} ${s.width}x${s.height} ${s.fps} fps, ${s.beepHz} Hz/${s.beepMs} ms at ${s.sampleRate / 1000} kHz, ${s.flashFrames}-frame flash, ${s.offsetMs > 0 ? "+" : ""}${s.offsetMs} ms`;
}

/** Per kind, [pts in s, ms from the frame's scheduled time to its last packet sent], in pts order. */
type Ledger = Record<"audio" | "video", Array<[number, number]>>;

// What the sender added to marker k's arrival offset, by its own account: the flash frame's delay
// minus that of the audio packet carrying the beep onset; undefined where the ledger lacks either.
function senderAddedMs(ledger: Ledger, clip: SyncClip, k: number): number | undefined {
  const flashS = clip.firstFlashS + k;
  const onsetS = flashS - clip.spec.offsetMs / 1000;
  const video = ledger.video.find(([pts]) => Math.abs(pts - flashS) < 1e-3)?.[1];
  // Audio packets need not sit on a 20 ms grid (GStreamer's first one is 13.5 ms long): the carrier
  // is the last packet starting at or before the onset, if the next one starts after it.
  let i = -1;
  while (i + 1 < ledger.audio.length && ledger.audio[i + 1]![0] <= onsetS + 1e-6) i++;
  const next = ledger.audio[i + 1];
  const audio = i >= 0 && next !== undefined && next[0] > onsetS && next[0] - ledger.audio[i]![0] <= 0.021 ? ledger.audio[i]![1] : undefined;
  return video === undefined || audio === undefined ? undefined : video - audio;
}

/** How far the sender fell behind its own schedule at worst, by its ledger. */
function ledgerBehindMs(ledger: Ledger): number {
  return Math.max(...ledger.video.map(([, ms]) => ms), ...ledger.audio.map(([, ms]) => ms));
}

function median(values: number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null;
}

async function streamClip(c: CorpusCase, clip: SyncClip, servers: AiortcServer[]): Promise<{ result: BenchResult; ledger: Ledger }> {
  const server = await startFixtureServer(senders[c.sender].fixture, senders[c.sender].args(c, clip), { nice: senders[c.sender].nice });
  servers.push(server);
  try {
    const result = await runBench({ durationS: clip.spec.durationS + 1, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(`http://${server.base}/offer`, "target") });
    const ledger = (await (await fetch(`http://${server.base}/ledger`)).json()) as Ledger;
    return { result, ledger };
  } finally {
    await server.stop();
  }
}

describe("independent senders streaming ffmpeg-made sync clips", { skip: ffmpegMissing() ?? false }, () => {
  const servers: AiortcServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  for (const c of cases) {
    test(describeCase(c), { skip: senders[c.sender].missing() ?? false }, async () => {
      const clip = makeSyncClip(c.clip);
      // A fixture that fell behind did not send the clip as timed; it gets one more try before the
      // test gives up on this machine (one busy-core CI run: aiortc's live H264 encode 302 ms behind).
      let { result, ledger } = await streamClip(c, clip, servers);
      let behindMs = ledgerBehindMs(ledger);
      if (behindMs > maxBehindMs) {
        console.log(`${describeCase(c)}: ${c.sender} fell ${behindMs.toFixed(0)} ms behind its own schedule; streaming the clip once more`);
        ({ result, ledger } = await streamClip(c, clip, servers));
        behindMs = ledgerBehindMs(ledger);
      }
      assert.ok(
        behindMs <= maxBehindMs,
        `${c.sender} fell ${behindMs.toFixed(0)} ms behind its own schedule (its ledger), over the ${maxBehindMs} ms this test judges: the fixture cannot keep up on this machine, so the run says nothing about avsync`,
      );
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      const probe = result.probe!;
      const video = probe.media!.video;
      const expected = clip.markers;
      const sender = probe.content.senderOffsetMs;
      const arrival = probe.content.arrivalOffsetMs;
      // Each marker's arrival offset against the clip's plus what the sender says it added to that
      // marker, beside how far the probe's own loop stalls (its account) may have moved its two stamps.
      const judged = probe.content.markers.flatMap((m) => {
        const added = senderAddedMs(ledger, clip, m.markerIndex);
        const stallMs = probeStallBoundMs(result, m);
        return added === undefined ? [] : [{ errorMs: m.arrivalOffsetMs - c.clip.offsetMs - added, stallMs }];
      });
      const arrivalErrors = judged.map((j) => j.errorMs);
      // What the probe's own account of its stalls leaves unexplained of each marker's error.
      const unexplained = judged.map(({ errorMs, stallMs }) => Math.sign(errorMs) * Math.max(0, Math.abs(errorMs) - stallMs));
      const addedMs = median(Array.from({ length: clip.markers }, (_, k) => senderAddedMs(ledger, clip, k)).filter((ms): ms is number => ms !== undefined)) ?? 0;
      console.log(
        `${describeCase(c)}: ${video.codec} ${video.sizes.join("→")}, decoded ${video.pictures}/${video.frames}, paired ${probe.markers.paired}/${expected}, ` +
          `sender ${sender.min?.toFixed(2)}..${sender.max?.toFixed(2)} (p50 ${sender.p50?.toFixed(2)}) ms, arrival ${arrival.min?.toFixed(2)}..${arrival.max?.toFixed(2)} (p50 ${arrival.p50?.toFixed(2)}; the sender added ${addedMs.toFixed(2)}; ` +
          `errors vs that ${arrivalErrors.map((e) => e.toFixed(2)).join(" ")}; probe stalls near them ${judged.map((j) => j.stallMs.toFixed(1)).join(" ")}) ms, fell behind ≤ ${behindMs.toFixed(1)} ms, Opus lookahead taken off ${probe.media!.audio.lookaheadCompensationMs} ms, ` +
          `discontinuities ${probe.continuity.video.discontinuities.length}/${probe.continuity.audio.discontinuities.length}, drift ${probe.continuity.video.driftPpm?.toFixed(0)}/${probe.continuity.audio.driftPpm?.toFixed(0)} ppm, anomalies [${probe.anomalies!.map((a) => a.name).join(", ")}]`,
      );
      assert.equal(video.codec, c.codec);
      assert.deepEqual(video.sizes, [`${c.clip.width}x${c.clip.height}`]);
      assert.equal(video.failure, null);
      assert.equal(probe.markers.source, "flash-beep");
      assert.ok(expected >= 3, `only ${expected} markers arrived whole`);
      assert.ok(probe.markers.paired >= Math.ceil(0.95 * expected), `paired ${probe.markers.paired} of ${expected}`);
      assert.ok(Math.abs(sender.p50! - c.clip.offsetMs) <= senderToleranceMs, `sender-clock offset ${sender.p50} vs ${c.clip.offsetMs}`);
      assert.ok(judged.length >= Math.ceil(0.95 * clip.markers), `the ledger names ${judged.length} markers`);
      assert.ok(
        Math.abs(median(unexplained)!) <= arrivalToleranceMs,
        `arrival offsets off the clip's + what the sender added by ${arrivalErrors.map((e) => e.toFixed(1)).join(", ")} ms; beyond the probe's stalls near them ${unexplained.map((e) => e.toFixed(1)).join(", ")} ms`,
      );
      assert.equal(probe.continuity.video.discontinuities.length, 0);
      assert.equal(probe.continuity.audio.discontinuities.length, 0);
      assert.equal(probe.continuity.video.expectedStepTicks, 90_000 / c.clip.fps);
      assert.ok(!probe.anomalies!.some((a) => a.name === "irregular-timestamps"), "no timestamp anomaly");
    });
  }
});
