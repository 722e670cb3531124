import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { defaultPatternOptions, encodeTestPattern } from "../../../src/lib/media/index.js";
import { useFreshPatternCache } from "./pattern-env.js";

const cacheDir = useFreshPatternCache();

describe("encodeTestPattern", () => {
  it("encodes one loop: a frame per content frame, a 20 ms packet per 960 samples, keyframes every second and where playback starts (lead-in 0.5 s)", async () => {
    const pattern = await encodeTestPattern({});
    assert.deepEqual(pattern.options, defaultPatternOptions);
    assert.equal(pattern.sampleRate, 48000);
    assert.equal(pattern.channels, 1);
    assert.equal(pattern.audioFrameSamples, 960);
    assert.equal(pattern.video.length, 8 * 30);
    assert.equal(pattern.audio.length, 8 * 50);
    const keyframes = pattern.video.flatMap((frame, i) => (frame.keyframe ? [i] : []));
    assert.deepEqual(keyframes, [0, 30, 60, 90, 120, 150, 180, 210, 225]);
    assert.ok(pattern.audio.every((packet) => packet.length > 0 && packet.length < 400));
  });

  it("makes every frame a keyframe when asked", async () => {
    const pattern = await encodeTestPattern({ allKeyframes: true, loopMarkers: 2 });
    assert.equal(pattern.video.length, 60);
    assert.ok(pattern.video.every((frame) => frame.keyframe));
  });

  it("shares one encode between concurrent callers and reuses the disk cache", async () => {
    const options = { loopMarkers: 2, contentOffsetMs: 40 };
    const [pattern, same] = await Promise.all([encodeTestPattern(options), encodeTestPattern({ ...options })]);
    assert.equal(pattern, same);
    assert.ok(readdirSync(cacheDir).some((name) => /^pattern-[0-9a-f]{16}\.json$/.test(name)));

    const { encodeTestPattern: encodeInFreshModule } = (await import(
      `../../../src/lib/media/test-pattern.js?fresh=${Date.now()}`
    )) as typeof import("../../../src/lib/media/test-pattern.js");
    const fromDisk = await encodeInFreshModule(options);
    assert.notEqual(fromDisk, pattern);
    assert.deepEqual(fromDisk, pattern);
  });

  it("rejects options the probe could not measure, quoting the value", async () => {
    await assert.rejects(encodeTestPattern({ fps: 0 }), /`fps`.*got `0`/);
    await assert.rejects(encodeTestPattern({ loopMarkers: 40 }), /`loopMarkers`.*got `40`/);
    await assert.rejects(encodeTestPattern({ beepMs: 950 }), /`beepMs`.*got `950`/);
    await assert.rejects(encodeTestPattern({ markerPeriodS: 0.51 }), /`markerPeriodS`/);
  });
});
