import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  classifyError,
  contentOffsets,
  pairMarkers,
  SenderClock,
  summarize,
  transportRelativeDelay,
  type MarkerEvent,
} from "../../../src/lib/analysis/index.js";
import { LOOP_MARKERS, MARKER_PERIOD_MS, MARKERS, simulateSession, type Injection, type SyntheticSession } from "./synthetic-session.js";

const OPTS = { markerPeriodMs: MARKER_PERIOD_MS, loopMarkers: LOOP_MARKERS };

function near(actual: number | null, expected: number, tolerance: number, what: string): void {
  assert.ok(actual !== null && Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
}

function measure(session: SyntheticSession) {
  const pairing = pairMarkers(session.flashes, session.beeps, OPTS);
  const offsets = contentOffsets(pairing.pairs, session.videoClock, session.audioClock);
  const transport = transportRelativeDelay(session.videoFrames, session.audioFrames, session.videoClock, session.audioClock);
  const classification = classifyError({ senderOffsetMs: offsets.senderOffsetMs, arrivalOffsetMs: offsets.arrivalOffsetMs, relativeDelayMs: transport.relativeDelayMs });
  return { pairing, offsets, transport, classification };
}

// The DESIGN.md §2 table: what each method reads for an injected N.
const TABLE: { flag: keyof Injection; kind: string; reads: (n: number) => [number, number, number] }[] = [
  { flag: "contentOffsetMs", kind: "content-offset", reads: (n) => [n, n, 0] },
  { flag: "scheduleOffsetMs", kind: "schedule-offset", reads: (n) => [0, n, n] },
  { flag: "timestampOffsetMs", kind: "timestamp-offset", reads: (n) => [n, 0, -n] },
];

describe("the three injections of DESIGN.md §2", () => {
  for (const { flag, kind, reads } of TABLE) {
    for (const n of [-120, -80, 0, 80]) {
      it(`${flag} ${n}: every method reads what the table says, and the kind is named`, () => {
        const { pairing, offsets, transport, classification } = measure(simulateSession({ [flag]: n }, n + 1000));
        const [senderMs, arrivalMs, transportMs] = reads(n);
        assert.equal(pairing.pairs.length, MARKERS);
        assert.deepEqual(pairing.pairs.map((p) => p.markerIndex), [...Array(MARKERS).keys()]);
        // SRs are exact, so the sender clock reads to the microsecond; arrivals carry ±1 ms jitter each.
        near(offsets.senderOffsetMs.min, senderMs, 0.01, "sender offset min");
        near(offsets.senderOffsetMs.max, senderMs, 0.01, "sender offset max");
        near(offsets.arrivalOffsetMs.p50, arrivalMs, 2, "arrival offset p50");
        near(offsets.arrivalOffsetMs.maxAbs, Math.abs(arrivalMs), 2, "arrival offset max |.|");
        near(transport.relativeDelayMs.p50, transportMs, 2, "transport relative delay p50");
        near(transport.relativeDelayMs.mean, transportMs, 2, "transport relative delay mean");
        if (n === 0) {
          assert.equal(classification.kind, "in-sync", classification.explanation);
          assert.equal(classification.estimatedMs, null);
        } else {
          assert.equal(classification.kind, kind, classification.explanation);
          near(classification.estimatedMs, n, 2, "estimated N");
        }
      });
    }
  }
});

describe("pairMarkers", () => {
  it("leaves the beep of a lost flash unpaired rather than pairing it with a neighbour's flash", () => {
    const session = simulateSession({ contentOffsetMs: 80 });
    const lost = session.flashes[4];
    const flashes = session.flashes.filter((f) => f !== lost);
    const pairing = pairMarkers(flashes, session.beeps, OPTS);
    assert.equal(pairing.pairs.length, MARKERS - 1);
    assert.deepEqual(pairing.unpairedFlashes, []);
    assert.equal(pairing.unpairedBeeps.length, 1);
    assert.equal(pairing.unpairedBeeps[0].markerCode, lost.markerCode);
    for (const pair of pairing.pairs) {
      near(pair.flash.arrivalMs - pair.beep.arrivalMs, 80, 2, `marker ${pair.markerIndex}`);
    }
    assert.deepEqual(pairing.pairs.map((p) => p.markerIndex), [0, 1, 2, 3, 5, 6, 7, 8, 9]);
  });

  it("never pairs across codes, even when another code's beep is closer", () => {
    const flashes: MarkerEvent[] = [{ markerCode: 1, rtpTs: 0, arrivalMs: 1000 }];
    const beeps: MarkerEvent[] = [
      { markerCode: 2, rtpTs: 0, arrivalMs: 1001 },
      { markerCode: 1, rtpTs: 0, arrivalMs: 1300 },
    ];
    const pairing = pairMarkers(flashes, beeps, OPTS);
    assert.deepEqual(pairing.pairs.map((p) => p.beep.arrivalMs), [1300]);
    assert.deepEqual(pairing.unpairedBeeps.map((b) => b.markerCode), [2]);
  });

  it("leaves a flash unpaired when its beep is lost and the same code comes round a loop later", () => {
    const flashes: MarkerEvent[] = [{ markerCode: 1, rtpTs: 0, arrivalMs: 1000 }];
    // Same code, one loop (4 × 1 s) later: outside the half-loop window.
    const beeps: MarkerEvent[] = [{ markerCode: 1, rtpTs: 0, arrivalMs: 5000 }];
    const pairing = pairMarkers(flashes, beeps, OPTS);
    assert.deepEqual(pairing.pairs, []);
    assert.equal(pairing.unpairedFlashes.length, 1);
    assert.equal(pairing.unpairedBeeps.length, 1);
  });

  it("keeps marker indexes right when the first flashes of a loop are lost", () => {
    const session = simulateSession({});
    const pairing = pairMarkers(session.flashes.filter((_, k) => k !== 1 && k !== 2), session.beeps, OPTS);
    assert.deepEqual(pairing.pairs.map((p) => p.markerIndex), [0, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("rejects a loop that is not a positive integer", () => {
    assert.throws(() => pairMarkers([], [], { markerPeriodMs: 1000, loopMarkers: 0 }), /`loopMarkers` to be a positive integer, got `0`/);
  });
});

describe("contentOffsets and transportRelativeDelay without SRs", () => {
  it("report null sender offsets and no transport delay instead of guessing", () => {
    const session = simulateSession({});
    const bare = { video: new SenderClock(90_000), audio: new SenderClock(48_000) };
    const pairing = pairMarkers(session.flashes, session.beeps, OPTS);
    const offsets = contentOffsets(pairing.pairs, bare.video, bare.audio);
    assert.ok(offsets.markers.every((m) => m.senderOffsetMs === null));
    assert.equal(offsets.senderOffsetMs.count, 0);
    assert.equal(offsets.arrivalOffsetMs.count, MARKERS);
    const transport = transportRelativeDelay(session.videoFrames, session.audioFrames, bare.video, bare.audio);
    assert.deepEqual(transport.series, []);
    assert.equal(transport.relativeDelayMs.p50, null);
  });
});

describe("transportRelativeDelay", () => {
  it("pairs each video frame with the audio frame that arrived last at or before it", () => {
    const video = new SenderClock(1000);
    const audio = new SenderClock(1000);
    video.addSenderReport({ ntpMs: 0, rtpTs: 0, arrivalMs: 0 });
    audio.addSenderReport({ ntpMs: 0, rtpTs: 0, arrivalMs: 0 });
    // Audio captured at 0 and 10 arrives at 50 and 70; video captured at 0 arrives at 60 → pairs with the first.
    const result = transportRelativeDelay(
      [{ rtpTs: 0, arrivalMs: 60 }, { rtpTs: 0, arrivalMs: 40 }],
      [{ rtpTs: 10, arrivalMs: 70 }, { rtpTs: 0, arrivalMs: 50 }],
      video,
      audio,
    );
    // The video frame arriving at 40 has no audio before it and is skipped.
    assert.deepEqual(result.series, [[60, 60 - 0 - (50 - 0)]]);
  });
});

describe("classifyError", () => {
  const of = (values: (number | null)[]) => values.map((v) => summarize(v === null ? [] : [v]));
  const classify = (s: number | null, a: number | null, t: number | null, deadBandMs?: number) => {
    const [senderOffsetMs, arrivalOffsetMs, relativeDelayMs] = of([s, a, t]);
    return classifyError({ senderOffsetMs, arrivalOffsetMs, relativeDelayMs }, { deadBandMs });
  };

  it("calls readings within the dead band in sync", () => {
    assert.equal(classify(3, -4, 2).kind, "in-sync");
  });

  it("calls several errors that add up mixed", () => {
    // Content +40 plus timestamp +40: sender +80, arrival +40, transport −40.
    const result = classify(80, 40, -40);
    assert.equal(result.kind, "mixed");
    assert.equal(result.estimatedMs, null);
    assert.match(result.explanation, /sender clock \+80\.0 ms, arrival \+40\.0 ms, transport -40\.0 ms/);
  });

  it("names the kind from two methods when the third has no data", () => {
    const withoutMarkers = classify(null, null, -80);
    assert.equal(withoutMarkers.kind, "undetermined");
    const withoutTransport = classify(-80, 0, null);
    assert.equal(withoutTransport.kind, "timestamp-offset");
    assert.equal(withoutTransport.estimatedMs, -80);
    assert.equal(classify(null, 60, 0).kind, "content-offset");
  });

  it("explains the kind with the readings and what it means for a receiver", () => {
    const result = classify(0, -80, -80);
    assert.equal(result.kind, "schedule-offset");
    assert.deepEqual(result.readingsMs, { sender: 0, arrival: -80, transport: -80 });
    assert.match(result.explanation, /^Schedule offset of -80\.0 ms .*can hide it/);
  });

  it("honours a wider dead band", () => {
    assert.equal(classify(8, 8, 0).kind, "content-offset");
    assert.equal(classify(8, 8, 0, 10).kind, "in-sync");
  });
});
