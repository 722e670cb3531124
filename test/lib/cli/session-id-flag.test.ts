// test: unit
// --session-id-field, templated --offer-field values and --signaling-flow answer reach runBench's
// signaling options as given; what cannot work is refused in one line.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { targetConfigFromFlags } from "../../../src/lib/cli/target-flags.js";

const base = { "media-timeout": 3, sessions: 2, ramp: 10, "signaling-timeout": 10, content: "auto" as const, target: "http://127.0.0.1:8010/webrtc/offer" };

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

test("--signaling-flow answer takes --answer-url (relative to the target, {session} left for the server's id); anything else is one line", () => {
  assert.equal(targetConfigFromFlags({ ...base, "signaling-flow": "answer", "answer-url": "/talks/streams/{session}/sdp" }).signaling.answerUrl, "/talks/streams/{session}/sdp");
  assert.equal("answerUrl" in targetConfigFromFlags({ ...base, "signaling-flow": "offer" }).signaling, false);
  assert.throws(() => targetConfigFromFlags({ ...base, "signaling-flow": "answer" }), { message: "`--signaling-flow answer` needs `--answer-url`, where avsync POSTs its answer (e.g. http://host/talks/streams/{session}/sdp)." });
  assert.throws(() => targetConfigFromFlags({ ...base, "answer-url": "/sdp" }), { message: "`--answer-url` is where the answer goes when the server makes the offer: add `--signaling-flow answer`." });
  assert.throws(() => targetConfigFromFlags({ ...base, target: "ws://127.0.0.1:8080/ws", "signaling-flow": "answer", "answer-url": "/sdp" }), {
    message: "`--signaling-flow answer` asks an http(s):// target for its offer, got `--target ws://127.0.0.1:8080/ws`.",
  });
  assert.throws(() => targetConfigFromFlags({ ...base, "signaling-flow": "answer", "answer-url": "ftp://x/{session}" }), { message: "Expected `--answer-url` to be an http(s) URL, `{session}` where the server's session id goes, got `ftp://x/{session}`." });
});

test("--trickle is for WHEP and JSON (Pipecat) targets; elsewhere it is one line", () => {
  assert.equal(targetConfigFromFlags({ ...base, target: "whep+http://127.0.0.1:8889/whep", trickle: true }).signaling.trickle, true);
  assert.equal(targetConfigFromFlags({ ...base, trickle: true }).signaling.trickle, true);
  assert.throws(() => targetConfigFromFlags({ ...base, target: "ws://127.0.0.1:8010/ws", trickle: true }), {
    message: "`--trickle` sends candidates in a PATCH (WHEP, or Pipecat's JSON): it needs a whep+http(s):// or http(s):// target, got `--target ws://127.0.0.1:8010/ws`.",
  });
  assert.throws(() => targetConfigFromFlags({ ...base, trickle: true, "signaling-flow": "answer", "answer-url": "/s/{session}" }), /with `--signaling-flow answer` the server makes the offer/);
});
