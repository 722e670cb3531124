import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Sync clips made by Debian's ffmpeg (lavfi sources), never by avsync: the independent half of the
// stream corpus (issue 17). Cached under .cache/sync-clips/ (git-ignored), named by their spec.

/** One common sync-test clip: a dark moving picture with a white flash and a tone burst once a second. */
export interface SyncClipSpec {
  width: number;
  height: number;
  fps: number;
  /** Flash length in frames (1 or 2). */
  flashFrames: number;
  beepHz: number;
  beepMs: number;
  /** Sample rate of the clip's audio track (the sender resamples it as it would any clip). */
  sampleRate: number;
  /** The truth: t(flash) − t(beep onset) on the clip's timeline, ms (positive = audio leads). */
  offsetMs: number;
  durationS: number;
}

/** What the clip holds, as avsync should find it. */
export interface SyncClip {
  path: string;
  spec: SyncClipSpec;
  /** Flash k sits at firstFlashS + k seconds; the last one whose beep is also inside the clip is counted. */
  firstFlashS: number;
  markers: number;
}

const cacheDir = fileURLToPath(new URL("../../.cache/sync-clips/", import.meta.url));

/** Why the corpus cannot be generated here, or null: tests skip with it. */
export function ffmpegMissing(): string | null {
  const probe = spawnSync("ffmpeg", ["-hide_banner", "-version"], { encoding: "utf8" });
  if (probe.error) return "Debian's ffmpeg is not installed (scripts/setup.sh --test installs it)";
  return null;
}

// Flash 0 after a lead-in, so the stream never starts on a marker and an early beep (offset > 0) still fits.
const leadInS = 0.4;

/**
 * Generates (or reuses) the clip: H.264 (crf 12) + PCM in QuickTime, decoded by the sender like any
 * file. Not Matroska: its millisecond timestamps make 30 fps steps of 33 and 34 ms.
 */
export function makeSyncClip(spec: SyncClipSpec): SyncClip {
  const leadFrames = Math.round(leadInS * spec.fps);
  const firstFlashS = leadFrames / spec.fps;
  const onsetS = firstFlashS - spec.offsetMs / 1000;
  if (onsetS < 0.05 || onsetS + spec.beepMs / 1000 > 0.95) throw new RangeError(`offset ${spec.offsetMs} ms puts the beep outside its period`);
  const markers = Math.ceil(spec.durationS - Math.max(firstFlashS + spec.flashFrames / spec.fps, onsetS + spec.beepMs / 1000) - 1e-9);
  const key = createHash("sha1").update(JSON.stringify(spec)).digest("hex").slice(0, 12);
  const path = join(cacheDir, `clip-${spec.width}x${spec.height}-${spec.fps}-${key}.mov`);
  if (!existsSync(path)) {
    mkdirSync(cacheDir, { recursive: true });
    const flashOn = spec.flashFrames === 1 ? `eq(mod(n\\,${spec.fps})\\,${leadFrames})` : `between(mod(n\\,${spec.fps})\\,${leadFrames}\\,${leadFrames + spec.flashFrames - 1})`;
    // A moving, textured, darkened test card: frames big enough to span several RTP packets, as real video's do.
    const video = `testsrc2=s=${spec.width}x${spec.height}:r=${spec.fps}:d=${spec.durationS},lutyuv=y=16+val*0.25,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='${flashOn}'`;
    // A sine of free-running phase, gated per sample: real clips do not start their tone at a peak.
    const gate = `lt(mod(t-${onsetS.toFixed(6)}+100\\,1)\\,${(spec.beepMs / 1000).toFixed(6)})`;
    const audio = `aevalsrc='0.5*sin(2*PI*${spec.beepHz}*t)*${gate}':s=${spec.sampleRate}:d=${spec.durationS}`;
    const partial = `${path}.partial.mov`;
    const run = spawnSync(
      "ffmpeg",
      ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", video, "-f", "lavfi", "-i", audio,
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", "-pix_fmt", "yuv420p", "-g", String(spec.fps),
        "-c:a", "pcm_s16le", "-shortest", partial],
      { encoding: "utf8" },
    );
    if (run.status !== 0) throw new Error(`ffmpeg could not make the clip: ${run.stderr}`);
    renameSync(partial, path);
  }
  return { path, spec, firstFlashS, markers };
}

/**
 * The clip's video encoded once more, offline, as a live sender would send it (for a sender that
 * only packetizes: fixtures/gstreamer/webrtc_sender.py): VP8 by libvpx in IVF, H.264 by libx264
 * (constrained baseline, no lookahead) in QuickTime, a keyframe every second, at `bitrateBps`.
 * The same frames as the clip's, frame for frame: only the encoding differs.
 */
export function encodeClipVideo(clip: SyncClip, codec: "VP8" | "H264", bitrateBps: number): string {
  const path = clip.path.replace(/\.mov$/, `-${codec.toLowerCase()}-${bitrateBps}.${codec === "VP8" ? "ivf" : "mov"}`);
  if (!existsSync(path)) {
    const rate = ["-b:v", String(bitrateBps), "-maxrate", String(bitrateBps), "-bufsize", String(bitrateBps), "-g", String(clip.spec.fps)];
    const encoder =
      codec === "VP8"
        ? ["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-lag-in-frames", "0", "-auto-alt-ref", "0", ...rate, "-f", "ivf"]
        : ["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "baseline", "-pix_fmt", "yuv420p", ...rate, "-f", "mov"];
    const partial = `${path}.partial`;
    const run = spawnSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-i", clip.path, "-an", ...encoder, partial], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`ffmpeg could not encode the clip's video: ${run.stderr}`);
    renameSync(partial, path);
  }
  return path;
}
