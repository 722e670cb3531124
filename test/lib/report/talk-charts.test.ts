// The report's talking-head charts (issue 14): per utterance, the voice envelope and the mouth on one
// time axis with the lag found and the confidence, and the response latency of each answer. The
// truth is built in: a mouth that is the voice 80 ms late and darkening as it opens must, shifted
// back by the lag and turned over, lie on the voice.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { summarize } from "../../../src/lib/analysis/index.js";
import type { TalkMeasurements, TalkUtterance } from "../../../src/lib/probe/index.js";
import { chartSpecsFor } from "../../../src/lib/report/index.js";
import { syntheticBenchResult } from "./synthetic-bench-result.js";

const stepMs = 20;
const lagMs = 80;
// Three syllables' loudness, 0 outside them.
const loudness = (ms: number): number => Math.max(0, Math.sin((Math.PI * ms) / 300)) * (ms >= 0 && ms < 1500 ? 1 : 0);
const trace = (mouthOf: (ms: number) => number) => {
  const startMs = 10_000 - 300;
  const times = Array.from({ length: 120 }, (_, k) => startMs + k * stepMs - 10_000);
  return { startMs, stepMs, voice: times.map(loudness), mouth: times.map(mouthOf) };
};

const speaking: TalkUtterance = {
  text: "Hello there, how are you today?",
  voiceOnsetMs: 10_000,
  voiceEndMs: 11_500,
  mouthOnsetMs: 10_000 + lagMs,
  lipOffsetMs: lagMs,
  confidence: 0.9,
  notAvailable: null,
  region: 27,
  // Luma of the mouth region: 200 shut, darker as it opens, 80 ms after the voice.
  trace: trace((ms) => 200 - 100 * loudness(ms - lagMs)),
  responseLatencyMs: 480,
  mouthLatencyMs: 560,
};
const still: TalkUtterance = {
  ...speaking,
  text: "Thank you.",
  mouthOnsetMs: null,
  lipOffsetMs: null,
  confidence: 0,
  notAvailable: "the face does not move",
  region: null,
  trace: trace(() => 0),
  mouthLatencyMs: null,
};

function talkResult() {
  const result = syntheticBenchResult({ durationS: 5 });
  const measurements: TalkMeasurements = {
    clock: "sender",
    utterances: [speaking, still],
    lipOffsetMs: summarize([lagMs]),
    notAvailable: 1,
    responseLatencyMs: summarize([480, 480]),
    mouthLatencyMs: summarize([560]),
  };
  result.talk = { driver: { kind: "text", url: "http://127.0.0.1:1/human" }, utterances: [speaking.text, still.text], head: null, prompts: [], measurements, error: null };
  return result;
}

test("each utterance's chart shows voice and mouth on one axis, the lag and the confidence; the mouth moved back by the lag lies on the voice", () => {
  const charts = chartSpecsFor(talkResult());
  const first = charts.find((c) => c.id === "talk-utterance-1")!;
  assert.match(first.title, /Hello there.*lips \+80 ms \(audio leads\), confidence 0\.90/);
  const [voice, mouth, moved] = first.config.data.datasets.map((d) => d.data as Array<{ x: number; y: number }>);
  assert.equal(mouth!.length, voice!.length);
  const at = new Map(moved!.map((p) => [p.x, p.y]));
  let compared = 0;
  for (const p of voice!) {
    const y = at.get(p.x);
    if (y === undefined) continue;
    compared++;
    assert.ok(Math.abs(y - p.y) <= 0.01, `at ${p.x} s: voice ${p.y}, mouth moved back ${y}`);
  }
  assert.ok(compared >= 100, `${compared} points compared`);
  // Time zero is the voice's onset.
  assert.equal(voice!.find((p) => p.y > 0)!.x, 0.02);
});

test("an utterance without an offset says why, and draws no mouth", () => {
  const charts = chartSpecsFor(talkResult());
  const second = charts.find((c) => c.id === "talk-utterance-2")!;
  assert.match(second.title, /Thank you\.: not available: the face does not move/);
  assert.equal(second.config.data.datasets.length, 2);
  assert.equal(second.config.data.datasets[1]!.data.length, 0);
});

test("the latency chart has each utterance's voice and mouth latency, a gap where there is none", () => {
  const latency = chartSpecsFor(talkResult()).find((c) => c.id === "talk-latency")!;
  assert.deepEqual(
    latency.config.data.datasets.map((d) => d.data),
    [
      [480, 480],
      [560, null],
    ],
  );
});
