// test: unit
// --session-id-field and templated --offer-field values reach runBench's signaling options as
// given; a field name that is not one is quoted back.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { targetConfigFromFlags } from "../../../src/lib/cli/target-flags.js";

const base = { "media-timeout": "3", sessions: 2, ramp: "10", "signaling-timeout": "10", content: "auto" as const, target: "http://127.0.0.1:8010/webrtc/offer" };

test("--session-id-field and a {uuid} offer field are kept for each session to fill", () => {
  const config = targetConfigFromFlags({ ...base, "offer-field": ["webrtc_id={uuid}"], "session-id-field": "webrtc_id" });
  assert.deepEqual(config.signaling.offerFields, { webrtc_id: "{uuid}" });
  assert.equal(config.signaling.sessionIdField, "webrtc_id");
  assert.equal("sessionIdField" in targetConfigFromFlags(base).signaling, false, "unset: the default keys");
});

test("a --session-id-field that is not a field name is refused with the value quoted", () => {
  for (const value of ["", "a b", "x".repeat(65), "{uuid}"]) {
    assert.throws(() => targetConfigFromFlags({ ...base, "session-id-field": value }), { message: `Expected \`--session-id-field\` to be a JSON field name such as webrtc_id, got \`${value}\`.` });
  }
});
