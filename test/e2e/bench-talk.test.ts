// test: system, group media
// `bench --talk` against avsync's reference talking head (issue 14): a lip offset injected into the
// face must be read back from nothing but the decoded face and voice, per utterance and as the
// run's median; a still face must read "not available", never 0; each answer's latency must match
// the head's own ledger of when its voice left. (The command line and the drivers' failures:
// bench-talk-cli.test.ts.)
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { runBench, type BenchResult } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";

// Two utterances of different length keep each run near 12 s.
const utterances = ["Hello there, how are you today?", "Thank you."];
// The acceptance: the run's median within half a frame period at 30 fps.
const halfFrameMs = 1000 / 30 / 2;
// The voice's first sound as the probe finds it (a tenth of its peak over the quiet floor, 5 ms
// steps, 20 ms windows) against the head's ledger (a tenth of the peak of its own 30 ms loudness):
// the two onsets differed by up to 9 ms over 8 utterances; arrival adds loopback and the probe's loop.
const latencyToleranceMs = 20;
// The mouth's first move as the probe reads it (its cell a fifth of the way to its widest) against the
// head's ledger (the first picture drawn a fifth open): a picture either way (33 ms) plus arrival.
const mouthToleranceMs = 1000 / 30 + 10;

function talkRun(head: { lipOffsetMs: number; responseDelayMs: number; still?: boolean }): Promise<BenchResult> {
  return runBench({ durationS: 1, mode: "paced", pattern: {}, injections: noInjections, flags: {}, talk: { utterances, head } });
}

function assertLatencyAgainstLedger(result: BenchResult): string {
  const errors: string[] = [];
  const talk = result.talk!;
  assert.equal(talk.head!.replies.length, talk.prompts.length);
  talk.measurements!.utterances.forEach((u, i) => {
    const reply = talk.head!.replies[i]!;
    const truth = reply.voiceOnsetUnixMs - talk.prompts[i]!.sentAtUnixMs;
    assert.ok(u.responseLatencyMs !== null && Math.abs(u.responseLatencyMs - truth) <= latencyToleranceMs, `utterance ${i}: latency ${u.responseLatencyMs} ms, the head's ledger ${truth.toFixed(1)} ms`);
    if (reply.mouthOnsetUnixMs === null) return;
    const mouthTruth = reply.mouthOnsetUnixMs - talk.prompts[i]!.sentAtUnixMs;
    assert.ok(u.mouthLatencyMs !== null && Math.abs(u.mouthLatencyMs - mouthTruth) <= mouthToleranceMs, `utterance ${i}: mouth latency ${u.mouthLatencyMs} ms, the head's ledger ${mouthTruth.toFixed(1)} ms`);
    errors.push(`voice ${(u.responseLatencyMs! - truth).toFixed(1)}, mouth ${(u.mouthLatencyMs - mouthTruth).toFixed(1)}`);
  });
  return `latency − the head's ledger, ms: ${errors.join("; ")}`;
}

describe("bench --talk against the reference talking head", () => {
  for (const lipOffsetMs of [-200, -80, 0, 80, 200]) {
    test(`reads an injected lip offset of ${lipOffsetMs} ms`, async (t) => {
      const result = await talkRun({ lipOffsetMs, responseDelayMs: 300 });
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      const m = result.talk!.measurements!;
      assert.equal(m.utterances.length, utterances.length);
      for (const u of m.utterances) {
        assert.equal(u.notAvailable, null, `"${u.text}": ${u.notAvailable}`);
        assert.ok(u.confidence > 0.5 && u.confidence <= 1, `"${u.text}": confidence ${u.confidence}`);
      }
      assert.ok(Math.abs(m.lipOffsetMs.p50! - lipOffsetMs) <= halfFrameMs, `median ${m.lipOffsetMs.p50} ms, injected ${lipOffsetMs} ms`);
      assert.equal(m.clock, "sender");
      t.diagnostic(assertLatencyAgainstLedger(result));
    });
  }

  test("a still face is not available, never 0", async () => {
    const result = await talkRun({ lipOffsetMs: 0, responseDelayMs: 300, still: true });
    const m = result.talk!.measurements!;
    assert.equal(m.notAvailable, utterances.length);
    assert.equal(m.lipOffsetMs.count, 0);
    assert.equal(m.lipOffsetMs.p50, null);
    for (const u of m.utterances) {
      assert.equal(u.lipOffsetMs, null);
      assert.equal(u.notAvailable, "the face does not move");
      assert.ok(u.responseLatencyMs !== null, "the voice was still heard");
    }
  });
});
