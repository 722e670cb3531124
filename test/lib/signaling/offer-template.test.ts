// test: unit
// Per-session offer fields: {uuid} is fresh for every session (fastrtc refuses a second viewer
// with the same webrtc_id), {index} is the session's place on the ramp, and {session}, which only
// the server's answer can fill, is refused where the flag is read.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { expandOfferFields, parseOfferFieldFlags } from "../../../src/lib/signaling/index.js";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("{uuid} is a fresh v4 UUID per session, the same one wherever it appears within a session", () => {
  const fields = parseOfferFieldFlags(["webrtc_id={uuid}", 'meta={"viewer":"v-{uuid}","n":{"i":"{index}"}}', "avatar=3"]);
  const sessions = Array.from({ length: 50 }, (_, index) => expandOfferFields(fields, { index }));
  const ids = sessions.map((s) => s.webrtc_id as string);
  for (const id of ids) assert.match(id, uuid);
  assert.equal(new Set(ids).size, 50, "no two sessions share a webrtc_id");
  sessions.forEach((s, index) => {
    assert.deepEqual(s.meta, { viewer: `v-${ids[index]}`, n: { i: String(index) } });
    assert.equal(s.avatar, 3, "a value without placeholders is sent as parsed");
  });
  assert.equal(fields.webrtc_id, "{uuid}", "the template itself is left as given (result.json records it)");
});

test("{index} fills in the session's index; text around it and unknown braces are kept", () => {
  assert.deepEqual(expandOfferFields(parseOfferFieldFlags(["room=load-{index}", "note={not a placeholder}"]), { index: 7 }), { room: "load-7", note: "{not a placeholder}" });
});

test("{session} in an offer field is refused in one line: the server names the session only in its answer", () => {
  assert.throws(() => parseOfferFieldFlags(["sessionid={session}"]), {
    message: "`--offer-field sessionid=…` holds `{session}`, the server's session id, which is known only after it answers; an offer field can use {uuid} (fresh per session) or {index}.",
  });
});
