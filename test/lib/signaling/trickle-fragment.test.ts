// test: unit
// Trickle ICE fragments (RFC 8840 §4.4) from a real werift offer (fixtures/sdp, captured from the
// probe's own peer: BUNDLE, the candidates repeated in each media section): the offer without them,
// the fragment that carries them, and a server's candidates put into its answer.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { addCandidates, candidateFragment, fragmentCandidates, withoutCandidates } from "../../../src/lib/signaling/trickle-fragment.js";

const offer = readFileSync(new URL("../../../fixtures/sdp/werift-recvonly-offer.sdp", import.meta.url), "utf8");

test("the offer without candidates keeps every other line, in order", () => {
  const stripped = withoutCandidates(offer);
  assert.doesNotMatch(stripped, /a=candidate:|a=end-of-candidates/);
  const kept = offer.split("\r\n").filter((line) => line && !line.startsWith("a=candidate:") && line !== "a=end-of-candidates");
  assert.deepEqual(stripped.split("\r\n").filter(Boolean), kept);
});

test("the fragment: ICE credentials, the first media section's m-line (port 9, format 0), its mid, its candidates, end", () => {
  assert.equal(
    candidateFragment(offer),
    [
      "a=ice-ufrag:0bdd",
      `a=ice-pwd:${/a=ice-pwd:(\S+)/.exec(offer)![1]}`,
      "m=audio 9 UDP/TLS/RTP/SAVPF 0",
      "a=mid:0",
      "a=candidate:626da4e5384a0ce2d0d93678a 1 udp 2116026367 127.0.0.1 60537 typ host generation 0 ufrag 0bdd",
      "a=candidate:32b1715da3b0ef8ba684454eb 1 udp 2116026367 192.0.2.2 43529 typ host generation 0 ufrag 0bdd",
      "a=end-of-candidates",
      "",
    ].join("\r\n"),
  );
  assert.deepEqual(fragmentCandidates(candidateFragment(offer)), offer.split("\r\n").filter((l) => l.startsWith("a=candidate:")).slice(0, 2));
});

test("a server's candidates go into the first media section, before the next m-line", () => {
  const answer = withoutCandidates(offer);
  const withServer = addCandidates(answer, ["a=candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host"]);
  const lines = withServer.split("\r\n");
  const at = lines.indexOf("a=candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host");
  assert.ok(at > lines.indexOf("m=audio 9 UDP/TLS/RTP/SAVPF 96") && at < lines.findIndex((l) => l.startsWith("m=video")));
  assert.equal(lines[at + 1], "a=end-of-candidates");
  assert.equal(addCandidates(answer, []), answer, "none: the answer as it was");
});
