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
    assert.ok(video.discontinuities.length > 10, `video discontinuities ${video.discontinuities.length}`);
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
