import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseChromiumSyncLine } from "../../../src/lib/browser/index.js";

// Lines Chromium 156 wrote to stderr during `avsync serve` sessions (fixtures/chromium/sync-log.txt).
const lines = readFileSync(new URL("../../../fixtures/chromium/sync-log.txt", import.meta.url), "utf8").split("\n").filter((l) => l.trim() !== "");
const now = new Date(2026, 10, 27, 14, 5, 0).getTime();

test("reads every kind of sync line Chromium writes, and nothing else", () => {
  const parsed = lines.map((line) => parseChromiumSyncLine(line, now));
  const kinds = parsed.map((p) => p?.kind ?? "other");
  assert.equal(kinds.filter((k) => k === "measure").length, 32);
  assert.equal(kinds.filter((k) => k === "change").length, 4);
  assert.equal(kinds.filter((k) => k === "estimate").length, 5);
  assert.equal(kinds.filter((k) => k === "other").length, 1, "the AddRecvStream line is not a sync line");
});

test("a change gives the video delay and the extra audio delay", () => {
  const line = lines.find((l) => l.includes("Sync video delay 17"))!;
  assert.deepEqual(parseChromiumSyncLine(line, now), { kind: "change", atMs: new Date(2026, 10, 27, 14, 3, 30, 746).getTime() + 0.516, videoDelayMs: 17, audioExtraMs: 0 });
});

test("a per-second measure gives the audio delay and the relative delay", () => {
  const parsed = parseChromiumSyncLine(lines[0]!, now);
  assert.deepEqual(parsed, { kind: "measure", atMs: new Date(2026, 10, 27, 14, 3, 28, 744).getTime() + 0.321, audioDelayMs: 81, relativeDelayMs: -1 });
});

test("an estimate reads both current delays, in ms or µs as Chromium prints them", () => {
  const inMs = parseChromiumSyncLine(lines.find((l) => l.includes("cur_delay: 82 ms} {ssrc: 3287044133, cur_delay: 34 ms}"))!, now);
  assert.deepEqual(inMs && { ...inMs, atMs: 0 }, { kind: "estimate", atMs: 0, audioDelayMs: 82, videoDelayMs: 34, relativeDelayMs: 0 });
  const inUs = parseChromiumSyncLine(lines.find((l) => l.includes(" us}"))!, now);
  assert.equal(inUs?.kind, "estimate");
  assert.ok(inUs?.kind === "estimate" && Math.abs(inUs.videoDelayMs - 21.03) < 1e-9, JSON.stringify(inUs));
});

test("the year Chromium leaves out is the one nearest to now (a log read just after New Year)", () => {
  const line = "[1:2:1231/235959.900000:VERBOSE1:third_party/webrtc/video/stream_synchronization.cc:71] Audio delay: 60 current diff: 0 for stream 1";
  const parsed = parseChromiumSyncLine(line, new Date(2027, 0, 1, 0, 0, 1).getTime());
  assert.equal(parsed?.atMs, new Date(2026, 11, 31, 23, 59, 59, 900).getTime());
});

test("other stderr lines and malformed ones are not sync lines", () => {
  assert.equal(parseChromiumSyncLine("DevTools listening on ws://127.0.0.1:1/devtools/browser/x"), null);
  assert.equal(parseChromiumSyncLine("[1:2:1127/140328.744321:VERBOSE1:x.cc:71] Audio delay: lots"), null);
});
