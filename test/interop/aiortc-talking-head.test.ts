// test: system, group media
// `bench --talk` against a talking head avsync did not make (issue 14): fixtures/aiortc/talking_head.py,
// LiveTalking's API on aiortc, 384x384 at 25 fps, a face of its own whose mouth follows its own
// loudness measure (a 40 ms peak, square-rooted), not avsync's. Whatever that face does to the
// reading, a lip offset injected on top of it must shift avsync's estimate by the injection (a
// differential check that holds for any face), and each answer's latency must match the head's own
// ledger. Every driver (text to /human, a WAV to /humanaudio, speech on the probe's microphone) makes it speak.
import { strict as assert } from "node:assert";
import { before, describe, test } from "node:test";
import { runBench, type BenchResult, type TalkDriver } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { aiortcMissing, startFixtureServer, type AiortcServer } from "../helpers/aiortc-server.js";

const missing = aiortcMissing();
const utterances = ["Hello there, how are you today?", "Thank you very much."];
// The tolerance for the differential check.
const shiftToleranceMs = 10;
// The head's ledger dates a voice by its own 30 ms RMS; avsync by its 20 ms envelope over the quiet
// floor, at arrival: seen within 9 ms of each other on avsync's own head.
const latencyToleranceMs = 20;

interface LedgerEntry {
  sessionid: string;
  requestUnixMs: number;
  startUnixMs: number;
  voiceOnsetUnixMs: number;
}

async function talkTo(lipOffsetMs: number, kind: TalkDriver["kind"] = "text"): Promise<{ result: BenchResult; ledger: LedgerEntry[] }> {
  const head: AiortcServer = await startFixtureServer("aiortc/talking_head.py", ["--lip-offset-ms", String(lipOffsetMs), "--response-delay-ms", "400"]);
  try {
    const base = `http://${head.base}`;
    const driver: TalkDriver =
      kind === "text"
        ? { kind, url: `${base}/human`, body: { sessionid: "{session}", text: "{text}", type: "echo", interrupt: true } }
        : kind === "audio"
          ? { kind, url: `${base}/humanaudio`, body: { sessionid: "{session}" } }
          : { kind };
    const result = await runBench({
      durationS: 1,
      mode: "paced",
      pattern: {},
      injections: noInjections,
      flags: {},
      target: { kind: "http-offer", url: `${base}/offer` },
      talk: { driver, utterances, answerAllowanceMs: 1500 },
    });
    const ledger = (await (await fetch(`${base}/ledger`)).json()) as LedgerEntry[];
    return { result, ledger };
  } finally {
    await head.stop();
  }
}

function medianOf(result: BenchResult): number {
  assert.equal(result.complete, true, result.incompleteReason ?? "");
  const m = result.talk!.measurements!;
  for (const u of m.utterances) assert.equal(u.notAvailable, null, `"${u.text}": ${u.notAvailable}`);
  return m.lipOffsetMs.p50!;
}

function assertLatencyAgainstLedger(result: BenchResult, ledger: readonly LedgerEntry[]): string {
  const talk = result.talk!;
  assert.equal(ledger.length, talk.prompts.length);
  return talk.measurements!.utterances.map((u, i) => {
    const truth = ledger[i]!.voiceOnsetUnixMs - talk.prompts[i]!.endedAtUnixMs;
    assert.ok(u.responseLatencyMs !== null && Math.abs(u.responseLatencyMs - truth) <= latencyToleranceMs, `utterance ${i}: ${u.responseLatencyMs} ms, the head's ledger ${truth.toFixed(1)} ms`);
    return `lips ${u.lipOffsetMs?.toFixed(1)} ms (confidence ${u.confidence.toFixed(2)}), answer ${u.responseLatencyMs?.toFixed(0)} ms (ledger ${truth.toFixed(0)})`;
  }).join("; ");
}

describe("bench --talk against an independent aiortc talking head", { skip: missing ?? false }, () => {
  let base: { result: BenchResult; ledger: LedgerEntry[] };
  before(async () => {
    base = await talkTo(0);
  });

  test("reads its face at all, and its answers' latency as its ledger says", (t) => {
    const m = base.result.talk!.measurements!;
    assert.ok(Math.abs(medianOf(base.result)) < 60, `its own offset reads ${m.lipOffsetMs.p50} ms`);
    for (const u of m.utterances) assert.ok(u.confidence > 0.5, `"${u.text}": confidence ${u.confidence}`);
    t.diagnostic(`its own face: ${assertLatencyAgainstLedger(base.result, base.ledger)}`);
  });

  for (const shiftMs of [-120, 80]) {
    test(`an injected ${shiftMs} ms on top of its face shifts the reading by ${shiftMs} ms`, async (t) => {
      const shifted = await talkTo(shiftMs);
      const moved = medianOf(shifted.result) - medianOf(base.result);
      assert.ok(Math.abs(moved - shiftMs) <= shiftToleranceMs, `moved ${moved.toFixed(1)} ms (${medianOf(base.result)} → ${medianOf(shifted.result)}), injected ${shiftMs} ms`);
      t.diagnostic(`${shiftMs} ms: moved ${moved.toFixed(1)} ms; ${assertLatencyAgainstLedger(shifted.result, shifted.ledger)}`);
    });
  }

  test("the audio driver makes it speak too", async (t) => {
    const { result, ledger } = await talkTo(0, "audio");
    assert.equal(result.talk!.driver.kind, "audio");
    assert.ok(Math.abs(medianOf(result) - medianOf(base.result)) <= shiftToleranceMs, `audio driver ${medianOf(result)} ms, text driver ${medianOf(base.result)} ms`);
    t.diagnostic(`audio driver: ${assertLatencyAgainstLedger(result, ledger)}`);
  });

  test("the in-band driver makes it speak: it answers what it hears on the probe's microphone", async (t) => {
    const { result, ledger } = await talkTo(0, "microphone");
    assert.equal(result.talk!.driver.kind, "microphone");
    assert.ok(Math.abs(medianOf(result) - medianOf(base.result)) <= shiftToleranceMs, `in-band ${medianOf(result)} ms, text driver ${medianOf(base.result)} ms`);
    t.diagnostic(`in-band driver: ${assertLatencyAgainstLedger(result, ledger)}`);
  });
});
