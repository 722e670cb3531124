// test: system, group media
// A relay in the path: avsync's pusher publishes its indexed pattern to an aiortc relay with
// WHIP, the probe subscribes with WHEP, and offsets and continuity are reported end to end.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { runBench } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { parseTargetUrl } from "../../src/lib/signaling/index.js";
import { aiortcMissing, startAiortcServer, type AiortcServer } from "../helpers/aiortc-server.js";

const skip = aiortcMissing();

describe("push via WHIP to an aiortc relay, pull via WHEP", { skip: skip ?? false }, () => {
  let relay: AiortcServer;
  before(async () => {
    relay = await startAiortcServer(["--relay"]);
  });
  after(async () => {
    await relay?.stop();
  });

  test("offsets and continuity are reported end to end", async () => {
    const result = await runBench({
      durationS: 5,
      mode: "paced",
      pattern: {},
      injections: { ...noInjections, contentOffsetMs: 40 },
      flags: {},
      push: parseTargetUrl(`whip+http://${relay.base}/whip`, "push"),
      target: parseTargetUrl(`whep+http://${relay.base}/whep`, "target"),
    });
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    assert.equal(result.config.target.push, `http://${relay.base}/whip`);
    assert.ok(result.pacing, "the publishing pusher's pacing is reported");
    const probe = result.probe!;
    assert.ok(probe.markers.paired >= 3, `paired ${probe.markers.paired} (${probe.markers.source})`);
    assert.ok(probe.content.senderOffsetMs.p50 !== null && probe.content.arrivalOffsetMs.p50 !== null);
    assert.ok(probe.transport.relativeDelayMs.count > 0);
    assert.ok(probe.continuity.video.frames > 100 && probe.continuity.audio.frames > 200, `${probe.continuity.video.frames} / ${probe.continuity.audio.frames} frames`);
    assert.ok(result.received.sessionId?.includes("/whep/"), String(result.received.sessionId));
  });
});
