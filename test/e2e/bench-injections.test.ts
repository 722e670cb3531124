// The contract of DESIGN §2 ("What each method must read"), checked end to end over real WebRTC
// on loopback: each injected error must be read back by each method. The sender clock reads RTP
// timestamps, which the pusher computes from its schedule: exact whatever the machine does. Arrival
// and transport carry real send times, so they are checked against the pusher's own ledger of when
// each frame left (a late pusher on a busy machine moves the truth with the measurement).
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { formatOffsetMs, summarize } from "../../src/lib/analysis/index.js";
import { benchWith } from "../helpers/bench.js";
import { markersAgainstLedger, transportFromLedger } from "../helpers/pusher-ledger.js";

// What the probe reads at arrival differs from what the ledger says left only by the two packets'
// trips through loopback and the probe's receive loop (a stalled event loop stamps late). Measured
// (arrival − sent, per marker), with the two cores loaded 4–8 deep by other builds and tests: 150
// markers, median +0.3 ms, 90 % within ±3 ms, extremes −10.6 and +16.4 ms; the median of one run's 4
// markers within ±2.5 ms. So each marker gets ±20 ms (a wrong pairing or a lost frame is ≥ 33 ms)
// and the run's median ±3 ms (a bias such as an uncompensated Opus lookahead, 6.5 ms, fails it).
const arrivalMarkerNoiseMs = 20;
const arrivalMedianNoiseMs = 3;
// Transport medians (probe vs ledger) differ by the same receive noise over ~100 frame pairs; seen
// at that load: within ±0.6 ms.
const transportMedianNoiseMs = 2;

const values = [-120, -80, 0, 80];
type Kind = "content" | "schedule" | "timestamp";
// [sender clock, at arrival, transport] per unit of injected N.
const table: Record<Kind, [number, number, number]> = {
  content: [1, 1, 0],
  schedule: [0, 1, 1],
  timestamp: [1, 0, -1],
};

const cases = (Object.keys(table) as Kind[]).flatMap((kind) =>
  values.filter((n) => n !== 0 || kind === "content").map((n) => ({ kind, n })),
);
const ms = formatOffsetMs;

describe("injected A/V errors are read back by every method (paced pusher)", () => {
  for (const { kind, n } of cases) {
    test(`--${kind}-offset-ms ${n}`, async (t) => {
      const result = await benchWith({
        durationS: 4,
        pattern: kind === "content" ? { contentOffsetMs: n } : {},
        injections: kind === "schedule" ? { scheduleOffsetMs: n } : kind === "timestamp" ? { timestampOffsetMs: n } : {},
      });
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      const probe = result.probe!;
      const [senderPerN] = table[kind];
      assert.equal(probe.markers.paired, result.expectedMarkers, "every marker paired");
      assert.equal(probe.markers.unpairedFlashes.length + probe.markers.unpairedBeeps.length, 0);

      for (const m of probe.content.markers) {
        assert.ok(Math.abs(m.senderOffsetMs! - senderPerN * n) <= 1, `marker ${m.markerIndex}: sender clock ${m.senderOffsetMs} vs ${senderPerN * n}`);
      }

      const markers = markersAgainstLedger(result);
      const apart = markers.map((m) => m.arrivalOffsetMs - m.sentOffsetMs);
      t.diagnostic(`at arrival − as sent, per marker: ${apart.map(ms).join(", ")}; as sent: ${markers.map((m) => ms(m.sentOffsetMs)).join(", ")}`);
      for (const [i, m] of markers.entries()) {
        assert.ok(Math.abs(apart[i]!) <= arrivalMarkerNoiseMs, `marker ${m.markerIndex}: at arrival ${ms(m.arrivalOffsetMs)}, the pusher sent it at ${ms(m.sentOffsetMs)}`);
      }
      assert.ok(Math.abs(summarize(apart).p50!) <= arrivalMedianNoiseMs, `median of arrival − sent ${ms(summarize(apart).p50!)}`);

      const ledger = summarize(transportFromLedger(result));
      const transport = probe.transport.relativeDelayMs;
      t.diagnostic(`transport p5/p50/p95: measured ${ms(transport.p5!)} ${ms(transport.p50!)} ${ms(transport.p95!)}; ledger ${ms(ledger.p5!)} ${ms(ledger.p50!)} ${ms(ledger.p95!)}`);
      assert.ok(Math.abs(transport.p50! - ledger.p50!) <= transportMedianNoiseMs, `transport median ${ms(transport.p50!)}, the ledger's ${ms(ledger.p50!)}`);

      const expectedKind = n === 0 ? "in-sync" : `${kind}-offset`;
      assert.equal(probe.errorKind.kind, expectedKind, probe.errorKind.explanation);
    });
  }
});
