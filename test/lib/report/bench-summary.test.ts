import { strict as assert } from "node:assert";
import { test } from "node:test";
import { pooledFrom } from "../../../src/lib/bench/index.js";
import { evaluateGate, parseGateSpec } from "../../../src/lib/gate/index.js";
import { renderBenchSummary } from "../../../src/lib/report/index.js";
import { syntheticBenchResult } from "./synthetic-bench-result.js";

test("a segmented run's summary says its probe block is the last segment and judges every segment, as the gate does", () => {
  // The last segment (the probe) is clean; an earlier segment read +61 ms.
  const clean = syntheticBenchResult({ durationS: 20 });
  const markers = [...clean.probe!.content.markers.map((m) => m.senderOffsetMs!), 60, 61];
  const segmented = { ...clean, pooled: pooledFrom(1, { senderOffsetMs: markers, arrivalOffsetMs: markers, joinTimeMs: [200] }), segmented: { segmentS: 10, segments: [], driftMsPerHour: [] } };
  const text = renderBenchSummary(segmented, "reports/x");
  assert.match(text, /Lip-sync offset .*, the last segment \(every segment below\), markers paired/);
  assert.match(text, /Verdict \(ITU-R BT\.1359 detectability -125…\+45 ms, every marker of every segment\): FAIL, worst marker 61\.0 ms/);
  assert.match(text, new RegExp(`every segment, sender clock .*\\(n=${markers.length}\\)`));
  assert.equal(evaluateGate(segmented, parseGateSpec({ gate: ["itu-detect"] }, "bench", null)!).pass, false);
  // Unsegmented and one session: the probe is the whole run, judged as before.
  assert.match(renderBenchSummary(clean, "reports/x"), /Verdict \(ITU-R BT\.1359 detectability -125…\+45 ms\): PASS/);
});
