// test: system, group media
// The original design's weak point, reproduced by an independent stack: an aiortc server that
// stamps video PTS at pull time (sleep 1/fps, then pts = elapsed) is flagged by the continuity
// and anomaly checks, and the content offset it causes is seen drifting.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { runBench } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { parseTargetUrl } from "../../src/lib/signaling/index.js";
import { aiortcMissing, startAiortcServer, type AiortcServer } from "../helpers/aiortc-server.js";

const skip = aiortcMissing();

describe("aiortc with pull-time video PTS", { skip: skip ?? false }, () => {
  let server: AiortcServer;
  before(async () => {
    server = await startAiortcServer(["--video-pts", "pull"]);
  });
  after(async () => {
    await server?.stop();
  });

  test("irregular timestamps, discontinuities and unbounded drift are reported with their evidence", async () => {
    const result = await runBench({ durationS: 6, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(`http://${server.base}/offer`, "target") });
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    const { video, audio } = result.probe!.continuity;
    assert.ok(video.stepsExact! < 0.5, `exact video steps ${video.stepsExact}`);
    // How many steps are off depends on how late asyncio woke the pull loop (one CI run: 10 in 6 s),
    // so the count is checked against the sender's own account of the pts it stamped (GET /video-pts):
    // its first `frames` steps, off by more than the probe's tolerance, are the discontinuities.
    const { pts } = (await (await fetch(`http://${server.base}/video-pts`)).json()) as { pts: number[] };
    const senderSteps = pts.slice(1, video.frames).map((p, i) => p - pts[i]!);
    // The probe's rule (analysis/continuity.ts) with its own expected step, which it takes from the
    // stream when the pull loop runs slow (one CI run: 3600 ticks, ±360): off by more than the
    // tolerance and not a whole number of steps (those are missing frames).
    const { expectedStepTicks: step, toleranceTicks: tolerance } = video;
    const senderOff = senderSteps.filter((delta) => {
      if (delta < 0 || Math.abs(delta - step) <= tolerance) return false;
      const multiple = Math.round(delta / step);
      return !(multiple >= 2 && Math.abs(delta - multiple * step) <= tolerance);
    }).length;
    assert.ok(senderOff > 0, `the pull loop stamped ${senderSteps.length} steps, none off: ${senderSteps.join(",")}`);
    assert.ok(Math.abs(video.discontinuities.length - senderOff) <= 1, `video discontinuities ${video.discontinuities.length}, the sender stamped ${senderOff} steps off by more than ${video.toleranceTicks} ticks`);
    assert.equal(audio.stepsExact, 1, "audio stays on its schedule");
    const anomalies = result.probe!.anomalies!;
    const irregular = anomalies.find((a) => a.name === "irregular-timestamps");
    assert.equal(irregular?.stream, "video", JSON.stringify(anomalies.map((a) => a.name)));
    assert.ok((irregular!.evidence.meanStepTicks as number) > 3000, JSON.stringify(irregular!.evidence));
    const drift = anomalies.find((a) => a.name === "unbounded-drift");
    assert.ok(drift, JSON.stringify(anomalies.map((a) => a.name)));
    // A pull loop slower than 1/fps shows flashes later and later against the beeps: audio leads more and more.
    assert.ok((drift.evidence.slopeMsPerS as number) > 20, JSON.stringify(drift.evidence));
  });
});
