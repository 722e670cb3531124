import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EncodedPattern } from "./test-pattern.js";
import type { PatternOptions } from "./pattern-options.js";

// Bump when the picture, the audio or the encoder settings change, so stale encodes are never reused.
const patternFormatVersion = "avsync-pattern-v2-av1-libaom";

interface CachedPatternFile {
  version: string;
  options: PatternOptions;
  video: { keyframe: boolean; data: string }[];
  audio: string[];
}

// Where encoded patterns live between runs; AVSYNC_CACHE_DIR lets CI point it at a shared volume.
function resolvePatternCacheDir(): string {
  return process.env.AVSYNC_CACHE_DIR ?? join(process.cwd(), ".cache", "avsync");
}

// Cache key covering every option and the format version.
export function hashPatternOptions(options: PatternOptions): string {
  const canonical = JSON.stringify(Object.entries(options).sort(([a], [b]) => a.localeCompare(b)));
  return createHash("sha256").update(`${patternFormatVersion}\n${canonical}`).digest("hex").slice(0, 16);
}

// A cache miss or an unreadable file both mean "encode again"; the cache is never authoritative.
export async function readCachedPattern(options: PatternOptions): Promise<EncodedPattern | undefined> {
  let file: CachedPatternFile;
  try {
    file = JSON.parse(await readFile(patternCachePath(options), "utf8")) as CachedPatternFile;
  } catch {
    return undefined;
  }
  if (file.version !== patternFormatVersion || hashPatternOptions(file.options) !== hashPatternOptions(options)) return undefined;
  return {
    options,
    sampleRate: 48000,
    channels: 1,
    audioFrameSamples: 960,
    video: file.video.map((frame) => ({ keyframe: frame.keyframe, data: Buffer.from(frame.data, "base64") })),
    audio: file.audio.map((packet) => Buffer.from(packet, "base64")),
  };
}

// Writes via rename so a concurrent process never reads a half-written file.
export async function writeCachedPattern(pattern: EncodedPattern): Promise<void> {
  const path = patternCachePath(pattern.options);
  const file: CachedPatternFile = {
    version: patternFormatVersion,
    options: pattern.options,
    video: pattern.video.map((frame) => ({ keyframe: frame.keyframe, data: frame.data.toString("base64") })),
    audio: pattern.audio.map((packet) => packet.toString("base64")),
  };
  await mkdir(resolvePatternCacheDir(), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(file));
  await rename(temporary, path);
}

function patternCachePath(options: PatternOptions): string {
  return join(resolvePatternCacheDir(), `pattern-${hashPatternOptions(options)}.json`);
}
