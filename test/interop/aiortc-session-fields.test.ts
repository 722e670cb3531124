// test: system
// Not in the media group: it asserts session ids, refusals and sender-clock offsets (RTP timestamps
// and Sender Reports), none of which a busy neighbour moves.
// Two signaling shapes of real avatar servers, against aiortc (fixtures/aiortc/sync_server.py).
// fastrtc-based servers (OpenAvatarChat, …), against aiortc
// (fixtures/aiortc/sync_server.py --viewer-id-field webrtc_id): every viewer must name its session
// with a webrtc_id no other viewer used, and the answer carries no session id. `--offer-field
// webrtc_id={uuid}` gives each probe session its own, and result.json records the ids the server
// accepted (its own account, GET /viewers). D-ID Streams: the server makes the offer (POST /streams),
// avsync answers to /streams/{session}/sdp with the session_id the server gave. Trickle ICE over
// WHEP: a server (--trickle-only) that ignores the offer's candidates and answers without its own,
// so ICE completes only through the PATCH exchange (RFC 9725 §4.3). Pipecat's JSON trickle: PATCH /offer
// {pc_id, candidates}, checked against the server's own count of the candidates each way came.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import { runBench, type BenchResult } from "../../src/lib/bench/index.js";
import { noInjections } from "../../src/lib/pusher/index.js";
import { parseOfferFieldFlags, parseTargetUrl } from "../../src/lib/signaling/index.js";
import { aiortcMissing, startAiortcServer, type AiortcServer } from "../helpers/aiortc-server.js";

const offsetMs = 40;

// A 4-s bench of one aiortc server's stream, by `url`'s signaling with these options.
const benchAt = (url: string, signaling: Parameters<typeof runBench>[0]["signaling"]): Promise<BenchResult> =>
  runBench({ durationS: 4, mode: "paced", pattern: {}, injections: noInjections, flags: {}, target: parseTargetUrl(url, "target"), signaling, signalingTimeoutMs: 5000 });
// As aiortc-offsets.test.ts: the median sender-clock offset of a run against aiortc (docs/targets.md).
const toleranceMs = 3;

function probe(server: AiortcServer, offerField: string): Promise<BenchResult> {
  return runBench({
    durationS: 4,
    mode: "paced",
    pattern: {},
    injections: noInjections,
    flags: {},
    target: parseTargetUrl(`http://${server.base}/offer`, "target"),
    signaling: { offerFields: parseOfferFieldFlags([offerField]) },
    sessions: 2,
    rampPerS: 4,
  });
}

describe("a fresh webrtc_id per viewer, as fastrtc wants", { skip: aiortcMissing() ?? false }, () => {
  let server: AiortcServer;
  before(async () => {
    server = await startAiortcServer(["--offset-ms", String(offsetMs), "--viewer-id-field", "webrtc_id", "--answer-id-field", ""]);
  });
  after(() => server.stop());

  test("--offer-field webrtc_id={uuid}: both sessions admitted, each recorded under the id the server accepted", async () => {
    const result = await probe(server, "webrtc_id={uuid}");
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    const { viewerIds } = (await (await fetch(`http://${server.base}/viewers`)).json()) as { viewerIds: string[] };
    const recorded = result.sessions!.map((s) => s.sessionId);
    assert.equal(viewerIds.length, 2);
    assert.deepEqual([...recorded].sort(), [...viewerIds].sort(), "the session ids avsync recorded are the ones the server accepted");
    for (const id of recorded) assert.match(id!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual(result.config.signaling!.offerFields, { webrtc_id: "{uuid}" }, "result.json keeps the template");
    const sender = result.probe!.content.senderOffsetMs.p50!;
    assert.ok(Math.abs(sender - offsetMs) <= toleranceMs, `sender-clock offset ${sender.toFixed(2)} ms vs ${offsetMs}`);
  });

  test("the same webrtc_id for both: the server refuses the second viewer, and the run says so", async () => {
    const result = await probe(server, "webrtc_id=viewer-1");
    assert.equal(result.complete, false);
    // Whichever session reached the server second is refused (on a busy machine #1 may come first).
    assert.match(result.incompleteReason!, /^1 of 2 sessions failed; the first, #[01]: Target at http:\/\/127\.0\.0\.1:\d+\/offer refused the offer \(code -1\): webrtc_id 'viewer-1' is missing or already in use\.$/);
  });
});

describe("the server makes the offer, as D-ID Streams does", { skip: aiortcMissing() ?? false }, () => {
  let server: AiortcServer;
  before(async () => {
    server = await startAiortcServer(["--offset-ms", String(offsetMs)]);
  });
  after(() => server.stop());

  test("--signaling-flow answer --answer-url /streams/{session}/sdp: +40 ms read back, the server's session recorded", async () => {
    const result = await benchAt(`http://${server.base}/streams`, { answerUrl: "/streams/{session}/sdp" });
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    assert.match(result.received.sessionId!, /^\d+$/, "the stream id the server gave");
    assert.equal(result.config.signaling!.flow, "answer");
    const sender = result.probe!.content.senderOffsetMs.p50!;
    assert.ok(Math.abs(sender - offsetMs) <= toleranceMs, `sender-clock offset ${sender.toFixed(2)} ms vs ${offsetMs}`);
  });
});

describe("WHEP with trickled candidates only", { skip: aiortcMissing() ?? false }, () => {
  let server: AiortcServer;
  before(async () => {
    server = await startAiortcServer(["--offset-ms", String(offsetMs), "--trickle-only"]);
  });
  after(() => server.stop());
  const whep = (trickle: boolean): Promise<BenchResult> => benchAt(`whep+http://${server.base}/whep`, trickle ? { trickle: true } : {});

  test("--trickle: the candidates cross in one PATCH each way, +40 ms read back", async () => {
    const result = await whep(true);
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    const trickled = (await (await fetch(`http://${server.base}/trickled`)).json()) as Record<string, number>;
    const sessionResource = result.received.sessionId!;
    const count = trickled[sessionResource.split("/").at(-1)!];
    assert.ok(count !== undefined && count > 0, `the server received trickled candidates: ${JSON.stringify(trickled)} for ${sessionResource}`);
    assert.equal(result.config.signaling!.trickle, true);
    const sender = result.probe!.content.senderOffsetMs.p50!;
    assert.ok(Math.abs(sender - offsetMs) <= toleranceMs, `sender-clock offset ${sender.toFixed(2)} ms vs ${offsetMs}`);
  });

  test("without --trickle the same server never connects, and the run says which candidates it had", async () => {
    const result = await whep(false);
    assert.equal(result.complete, false);
    assert.match(result.incompleteReason!, /peer connection (failed before it connected|not connected after 5000 ms).*ICE candidates tried: ours host×\d+, the target's none/);
  });
});

describe("Pipecat-style JSON trickle: PATCH /offer {pc_id, candidates}", { skip: aiortcMissing() ?? false }, () => {
  let server: AiortcServer;
  before(async () => {
    server = await startAiortcServer(["--offset-ms", String(offsetMs), "--trickle-only", "--answer-id-field", "pc_id"]);
  });
  after(() => server.stop());

  test("--trickle: the offer carries no candidate, the server takes ours by pc_id, +40 ms read back", async () => {
    const result = await benchAt(`http://${server.base}/offer`, { trickle: true });
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    // The server's own account: how many candidates each offer carried, and how many came by PATCH for which pc_id.
    const offered = (await (await fetch(`http://${server.base}/offer-candidates`)).json()) as number[];
    const trickled = (await (await fetch(`http://${server.base}/trickled`)).json()) as Record<string, number>;
    assert.deepEqual(offered, [0], "the offer went without candidates");
    const pcId = result.received.sessionId!;
    assert.ok((trickled[pcId] ?? 0) > 0, `the server received trickled candidates for pc_id ${pcId}: ${JSON.stringify(trickled)}`);
    const sender = result.probe!.content.senderOffsetMs.p50!;
    assert.ok(Math.abs(sender - offsetMs) <= toleranceMs, `sender-clock offset ${sender.toFixed(2)} ms vs ${offsetMs}`);
  });
});
