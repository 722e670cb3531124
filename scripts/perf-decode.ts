// What measuring costs per codec and resolution (issue 17): decode + marker search + continuity on
// 10 s ffmpeg-made sync clips (test/helpers/sync-clip.ts), CPU ms per media second (this process
// and its ffmpeg children), and decoder-only frame rates at 1080p, libav.js VP8 beside ffmpeg.
// Cases interleave and repeat; medians are printed. Run alone: node --import tsx scripts/perf-decode.ts
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { summarize } from "../src/lib/analysis/index.js";
import { VideoMarkerReader, decodeWithFfmpeg, defaultPatternOptions } from "../src/lib/media/index.js";
import { assembleVideoFrames, measureRecording, type ProbeRecording } from "../src/lib/probe/index.js";
import type { VideoCodecName } from "../src/lib/rtc/index.js";
import { recordingFromClip } from "../test/helpers/clip-recording.js";
import { makeSyncClip } from "../test/helpers/sync-clip.js";

const mediaS = Number(process.env.PERF_DECODE_MEDIA_S ?? 10);
const repeats = Number(process.env.PERF_DECODE_REPEATS ?? 3);
const codecs: VideoCodecName[] = ["vp8", "h264", "vp9", "av1"];
const sizes = [
  [1280, 720],
  [1920, 1080],
] as const;

// CPU of this process plus its waited-for children (ffmpeg), ms: /proc/self/stat utime..cstime.
function cpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / 100;
}

function clipFor(width: number, height: number) {
  return makeSyncClip({ width, height, fps: 30, flashFrames: 1, beepHz: 1000, beepMs: 60, sampleRate: 48_000, offsetMs: 0, durationS: mediaS });
}

async function timeMeasure(recording: ProbeRecording): Promise<{ wallMs: number; cpuMs: number; paired: number }> {
  const cpu0 = cpuMs();
  const t0 = performance.now();
  const m = await measureRecording(recording, defaultPatternOptions, { expectations: "stream" });
  return { wallMs: performance.now() - t0, cpuMs: cpuMs() - cpu0, paired: m.markers.paired };
}

export async function runDecodePerf(): Promise<void> {
  process.stderr.write(`… encoding ${mediaS} s clips (cached under .cache/)\n`);
  const recordings = new Map<string, ProbeRecording>();
  for (const [w, h] of sizes) for (const codec of codecs) recordings.set(`${codec} ${w}x${h}`, recordingFromClip(clipFor(w, h), { codec }));
  const samples = new Map<string, Array<{ wallMs: number; cpuMs: number; paired: number }>>();
  for (let r = 0; r < repeats; r++) {
    for (const [name, recording] of recordings) {
      process.stderr.write(`… measuring ${name} (${r + 1}/${repeats})\n`);
      samples.set(name, [...(samples.get(name) ?? []), await timeMeasure(recording)]);
    }
  }
  console.log("");
  console.log(`decode + measure, ${mediaS} s of 30 fps media, median of ${repeats}`);
  console.log("case              wall s   CPU ms per media s (incl. ffmpeg)   markers paired");
  for (const [name, runs] of samples) {
    const wallS = summarize(runs.map((x) => x.wallMs)).p50! / 1000;
    const cpuPerS = summarize(runs.map((x) => x.cpuMs)).p50! / mediaS;
    console.log(`${name.padEnd(17)} ${wallS.toFixed(2).padStart(6)}   ${cpuPerS.toFixed(0).padStart(6)}                              ${runs[0]!.paired}`);
  }
  const h264 = summarize(samples.get("h264 1920x1080")!.map((x) => x.wallMs)).p50! / 1000;
  console.log(`goal:  ${mediaS} s of 1080p30 H.264 measured in < ${mediaS} s: ${h264 < mediaS ? "met" : "missed"} (${h264.toFixed(2)} s)`);

  // Decoder alone at 1080p: the figure behind keeping VP8 in libav.js and sending the rest to ffmpeg.
  console.log("");
  console.log("decoder only, 1920x1080 frames per second (median of repeats)");
  for (const codec of codecs) {
    const recording = recordings.get(`${codec} 1920x1080`)!;
    const frames = assembleVideoFrames(Array.from(recording.video.packets), codec).filter((f) => f.complete).map((f) => f.data);
    const ffmpegFps: number[] = [];
    const libavFps: number[] = [];
    for (let r = 0; r < repeats; r++) {
      let t0 = performance.now();
      await decodeWithFfmpeg(codec, frames, () => undefined);
      ffmpegFps.push(frames.length / ((performance.now() - t0) / 1000));
      if (codec !== "vp8") continue;
      const reader = new VideoMarkerReader();
      t0 = performance.now();
      for (const frame of frames) await reader.decode(frame);
      libavFps.push(frames.length / ((performance.now() - t0) / 1000));
      await reader.close();
    }
    console.log(`${codec.padEnd(5)} ffmpeg ${summarize(ffmpegFps).p50!.toFixed(0).padStart(5)} fps${libavFps.length ? `   libav.js (WASM) ${summarize(libavFps).p50!.toFixed(0).padStart(5)} fps` : ""}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runDecodePerf();
