import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";

// Each test file encodes into its own empty cache, so every run exercises the real encoders.
export function useFreshPatternCache(): string {
  const dir = mkdtempSync(join(tmpdir(), "avsync-pattern-"));
  process.env.AVSYNC_CACHE_DIR = dir;
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
