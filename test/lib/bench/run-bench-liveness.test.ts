// test: system
// Liveness is part of the verdict: a session whose media stops while its signaling stays open
// (a target that hangs or stalls rather than dies) fails once --media-timeout has passed, and with
// several sessions the result says which one died.
import { strict as assert } from "node:assert";
import { performance } from "node:perf_hooks";
import { test } from "node:test";
import { runBench } from "../../../src/lib/bench/index.js";
import { noInjections } from "../../../src/lib/pusher/index.js";
import { startEmbeddedTargetThread } from "../../../src/lib/target/index.js";

test("media that stops with the signaling still open: the session fails after --media-timeout, the run is incomplete", { timeout: 90_000 }, async (t) => {
  const target = await startEmbeddedTargetThread({ mode: "paced", pattern: {}, injections: noInjections });
  try {
    let stoppedAt = 0;
    let sessions = 0;
    // The second viewer the target sees has its pusher stopped 2 s later: its socket stays open, its
    // media ends. Which probe that is depends on whose signaling finished first (the ramp starts
    // probe #1 0.5 s after #0, but on a busy machine #1 can reach the target first), so the test
    // takes the index from the verdict and checks that exactly that one session failed.
    target.on("session", (session) => {
      if (++sessions !== 2) return;
      setTimeout(() => {
        stoppedAt = performance.now();
        session.stop();
      }, 2000);
    });
    const result = await runBench({
      durationS: 8,
      mode: "paced",
      pattern: {},
      injections: noInjections,
      flags: {},
      target: { kind: "ws-json", url: target.url },
      sessions: 2,
      rampPerS: 2,
      mediaTimeoutMs: 1000,
    });
    const failedSessions = result.sessions!.filter((s) => s.error !== null);
    assert.equal(failedSessions.length, 1, "exactly the one stopped session fails");
    const failed = failedSessions[0]!;
    t.diagnostic(`${result.incompleteReason}`);
    assert.equal(result.complete, false);
    // Both streams stop together; either may cross the timeout first (video's last frame can trail
    // audio's by a frame, more on a busy machine), so the verdict may name one stream or both.
    const reason = /^1 of 2 sessions failed; the first, #([01]): (?:media|audio|video) stopped (\d+\.\d) s after connecting: no RTP for 1\.0 s$/.exec(result.incompleteReason!);
    assert.ok(reason, result.incompleteReason!);
    // The pusher stopped 2 s after the session began, which is a moment before it connected.
    assert.ok(Number(reason[2]) >= 1 && Number(reason[2]) <= 2.6, `stopped ${reason[2]} s after connecting; the target stopped it 2 s after the session began`);
    assert.equal(failed.index, Number(reason[1]), "the verdict names the session that failed");
    assert.equal(result.sessions![1 - failed.index]!.error, null, "the living session is not blamed");
    assert.ok(failed.received.videoPackets > 30, "what arrived before the stop is kept");
    assert.ok(stoppedAt > 0);
    assert.equal(result.config.mediaTimeoutMs, 1000);
  } finally {
    await target.close();
  }
});
