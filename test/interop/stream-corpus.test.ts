// test: system, group media:2
// Issue 17's corpus: sync clips made by ffmpeg (test/helpers/sync-clip.ts), streamed to avsync by
// independent WebRTC senders at real resolutions, measured by `runBench --target` as a user would.
// The truth is the clip's offset. Tolerances (measured noise, see docs/targets.md "Stream corpus"):
// - sender clock ±1 ms: the senders' SRs carry each frame's scheduled time, so only avsync's own
//   detection error remains (≤ 0.3 ms on clips, test/lib/probe/measure-clips.test.ts);
// - at arrival ±3 ms of the clip's offset plus what the sender itself adds, by its own ledger
//   (aiortc's GET /ledger: each frame's delay from its schedule to its last packet sent; VP8 at
//   640x360 adds ~3 ms to the flash frames): arrival carries the sender's encoding and pacing
//   delay, which its SRs do not show.
import { strict as assert } from "node:assert";
import { after, describe, test } from "node:test";
import { runBench, type BenchResult } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { parseTargetUrl } from "../../src/lib/signaling/index.js";
import { aiortcMissing, startAiortcServer, startFixtureServer, type AiortcServer } from "../helpers/aiortc-server.js";
import { ffmpegMissing, makeSyncClip, type SyncClip, type SyncClipSpec } from "../helpers/sync-clip.js";

const skip = ffmpegMissing() ?? aiortcMissing();
const senderToleranceMs = 1;
const arrivalToleranceMs = 3;

interface CorpusCase {
  sender: "aiortc";
  codec: "VP8" | "H264";
  clip: SyncClipSpec;
}

const cases: CorpusCase[] = [
  { sender: "aiortc", codec: "VP8", clip: { width: 640, height: 360, fps: 25, flashFrames: 1, beepHz: 1000, beepMs: 60, sampleRate: 48_000, offsetMs: 80, durationS: 6 } },
  { sender: "aiortc", codec: "H264", clip: { width: 1280, height: 720, fps: 30, flashFrames: 2, beepHz: 440, beepMs: 200, sampleRate: 44_100, offsetMs: -120, durationS: 6 } },
];

function describeCase(c: CorpusCase): string {
  const s = c.clip;
  return `${c.sender} ${c.codec} ${s.width}x${s.height} ${s.fps} fps, ${s.beepHz} Hz/${s.beepMs} ms at ${s.sampleRate / 1000} kHz, ${s.flashFrames}-frame flash, ${s.offsetMs > 0 ? "+" : ""}${s.offsetMs} ms`;
}

type Ledger = Record<"audio" | "video", Array<[number, number]>>;

// What the sender added to marker k's arrival offset, by its own account: the flash frame's delay
// minus that of the audio packet carrying the beep onset; undefined where the ledger lacks either.
function senderAddedMs(ledger: Ledger, clip: SyncClip, k: number): number | undefined {
  const at = (kind: "audio" | "video", ptsS: number): number | undefined => ledger[kind].find(([pts]) => Math.abs(pts - ptsS) < 1e-3)?.[1];
  const flashS = clip.firstFlashS + k;
  const onsetS = flashS - clip.spec.offsetMs / 1000;
  const video = at("video", flashS);
  const audio = at("audio", Math.floor(onsetS / 0.02) * 0.02);
  return video === undefined || audio === undefined ? undefined : video - audio;
}

function median(values: number[]): number | null {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)]! : null;
}

async function streamClip(c: CorpusCase, clip: SyncClip, servers: AiortcServer[]): Promise<{ result: BenchResult; ledger: Ledger }> {
  const server = await startFixtureServer("aiortc/file_server.py", ["--file", clip.path, "--video-codec", c.codec]);
  servers.push(server);
  try {
    const result = await runBench({ durationS: clip.spec.durationS + 1, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(`http://${server.base}/offer`, "target") });
    const ledger = (await (await fetch(`http://${server.base}/ledger`)).json()) as Ledger;
    return { result, ledger };
  } finally {
    await server.stop();
  }
}

describe("independent senders streaming ffmpeg-made sync clips", { skip: skip ?? false }, () => {
  const servers: AiortcServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  for (const c of cases) {
    test(describeCase(c), async () => {
      const clip = makeSyncClip(c.clip);
      const { result, ledger } = await streamClip(c, clip, servers);
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      const probe = result.probe!;
      const video = probe.media!.video;
      const expected = clip.markers;
      const sender = probe.content.senderOffsetMs;
      const arrival = probe.content.arrivalOffsetMs;
      // Each marker's arrival offset against the clip's plus what the sender says it added to that marker.
      const arrivalErrors = probe.content.markers.flatMap((m) => {
        const added = senderAddedMs(ledger, clip, m.markerIndex);
        return added === undefined ? [] : [m.arrivalOffsetMs - c.clip.offsetMs - added];
      });
      const addedMs = median(Array.from({ length: clip.markers }, (_, k) => senderAddedMs(ledger, clip, k)).filter((ms): ms is number => ms !== undefined)) ?? 0;
      console.log(
        `${describeCase(c)}: ${video.codec} ${video.sizes.join("→")}, decoded ${video.pictures}/${video.frames}, paired ${probe.markers.paired}/${expected}, ` +
          `sender ${sender.min?.toFixed(2)}..${sender.max?.toFixed(2)} (p50 ${sender.p50?.toFixed(2)}) ms, arrival ${arrival.min?.toFixed(2)}..${arrival.max?.toFixed(2)} (p50 ${arrival.p50?.toFixed(2)}; the sender added ${addedMs.toFixed(2)}; error vs that ${median(arrivalErrors)?.toFixed(2)}) ms, ` +
          `discontinuities ${probe.continuity.video.discontinuities.length}/${probe.continuity.audio.discontinuities.length}, drift ${probe.continuity.video.driftPpm?.toFixed(0)}/${probe.continuity.audio.driftPpm?.toFixed(0)} ppm, anomalies [${probe.anomalies!.map((a) => a.name).join(", ")}]`,
      );
      assert.equal(video.codec, c.codec);
      assert.deepEqual(video.sizes, [`${c.clip.width}x${c.clip.height}`]);
      assert.equal(video.failure, null);
      assert.equal(probe.markers.source, "flash-beep");
      assert.ok(expected >= 3, `only ${expected} markers arrived whole`);
      assert.ok(probe.markers.paired >= Math.ceil(0.95 * expected), `paired ${probe.markers.paired} of ${expected}`);
      assert.ok(Math.abs(sender.p50! - c.clip.offsetMs) <= senderToleranceMs, `sender-clock offset ${sender.p50} vs ${c.clip.offsetMs}`);
      assert.ok(arrivalErrors.length >= Math.ceil(0.95 * clip.markers), `the ledger names ${arrivalErrors.length} markers`);
      assert.ok(Math.abs(median(arrivalErrors)!) <= arrivalToleranceMs, `arrival offsets off the clip's + what the sender added by ${arrivalErrors.map((e) => e.toFixed(1)).join(", ")} ms`);
      assert.equal(probe.continuity.video.discontinuities.length, 0);
      assert.equal(probe.continuity.audio.discontinuities.length, 0);
      assert.equal(probe.continuity.video.expectedStepTicks, 90_000 / c.clip.fps);
      assert.ok(!probe.anomalies!.some((a) => a.name === "irregular-timestamps"), "no timestamp anomaly");
    });
  }
});

describe("expectations from the stream, and drift against a known clock", { skip: aiortcMissing() ?? false }, () => {
  const servers: AiortcServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  for (const fps of [25, 30]) {
    test(`a clean ${fps} fps external stream without --fps: 0 discontinuities, no timestamp anomaly`, async () => {
      const server = await startAiortcServer(["--fps", String(fps)]);
      servers.push(server);
      const result = await runBench({ durationS: 4, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(`http://${server.base}/offer`, "target") });
      await server.stop();
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      const { video, audio } = result.probe!.continuity;
      console.log(`${fps} fps: expected ${video.expectedStepTicks} ticks (${video.expectedStepSource}), ${video.stepsExact! * 100}% exact, discontinuities ${video.discontinuities.length}`);
      assert.equal(video.expectedStepTicks, 90_000 / fps);
      assert.equal(video.expectedStepSource, "stream");
      assert.equal(video.discontinuities.length, 0);
      assert.equal(audio.discontinuities.length, 0);
      assert.deepEqual(result.probe!.anomalies!.filter((a) => a.name === "irregular-timestamps"), []);
    });
  }

  // A sender whose RTP clocks run 500 ppm fast (fixtures/aiortc/sync_server.py --clock-ppm): the
  // drift figures against arrival (continuity.*.driftPpm) must read it within ±50 ppm, 0.6 ms over
  // the 12 s run; they read 498 and 496. The figures against the Sender Reports are printed, not
  // held to it: aiortc stamps SRs when it sends them, milliseconds late at random, and a fit
  // through 12 s of them read 463 (video) and 635 ppm (audio).
  test("RTP clocks 500 ppm fast read +500 ± 50 ppm against arrival", async () => {
    const server = await startAiortcServer(["--clock-ppm", "500"]);
    servers.push(server);
    const result = await runBench({ durationS: 12, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(`http://${server.base}/offer`, "target") });
    await server.stop();
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    const p = result.probe!;
    const figures = { videoArrival: p.continuity.video.driftPpm, audioArrival: p.continuity.audio.driftPpm };
    console.log(`500 ppm fast sender reads ${JSON.stringify(figures)}; against its SRs video ${p.senderReports.video.ntpDriftPpm} audio ${p.senderReports.audio.ntpDriftPpm}`);
    for (const [what, ppm] of Object.entries(figures)) assert.ok(ppm !== null && Math.abs(ppm - 500) <= 50, `${what} drift ${ppm} ppm`);
  });
});
