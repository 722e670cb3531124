import { strict as assert } from "node:assert";
import { test } from "node:test";
import { parseThreshold } from "../../../src/lib/gate/index.js";

test("a threshold parses into metric, aggregate, operator and value", () => {
  assert.deepEqual(parseThreshold("offset.content.p95 < 45", "bench"), { source: "offset.content.p95 < 45", metric: "offset.content", aggregate: "p95", operator: "<", value: 45 });
  assert.deepEqual(parseThreshold("  continuity.video.discontinuities==0 ", "bench"), {
    source: "continuity.video.discontinuities==0",
    metric: "continuity.video.discontinuities",
    aggregate: "count",
    operator: "==",
    value: 0,
  });
  assert.equal(parseThreshold("markers.paired >= 99.5%", "bench").value, 0.995);
  assert.equal(parseThreshold("offset.transport.min >= -12.5", "bench").value, -12.5);
  assert.equal(parseThreshold("tw.max < 20000", "tw-storm").aggregate, "max");
  assert.equal(parseThreshold("errors.EADDRNOTAVAIL == 0", "tw-storm").metric, "errors.EADDRNOTAVAIL");
});

test("bad thresholds fail with the expression quoted and a hint", () => {
  assert.throws(() => parseThreshold("offset.content.p95 ~ 45", "bench"), /got `offset\.content\.p95 ~ 45`/);
  assert.throws(() => parseThreshold("offset.content.p95 <", "bench"), /Expected a threshold like/);
  assert.throws(() => parseThreshold("offset.contnt.p95 < 45", "bench"), /Unknown metric in threshold `offset\.contnt\.p95 < 45`; bench results have offset\.content/);
  assert.throws(() => parseThreshold("offset.content < 45", "bench"), /`offset\.content` is a trend; name an aggregate .*`offset\.content\.p95 < 45`/);
  assert.throws(() => parseThreshold("offset.content.p42 < 45", "bench"), /aggregates count, mean, .* got `p42`/);
  assert.throws(() => parseThreshold("tw.max < 1", "bench"), /Unknown metric/);
});
