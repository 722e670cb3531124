// test: system
// POST /offer JSON and WHEP/WHIP clients against tiny local servers: what goes on the wire, what
// comes back, and the session id each flavour yields.
import { strict as assert } from "node:assert";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { after, before, describe, test } from "node:test";
import {
  defaultSignalingOptions,
  negotiateOverHttpOffer,
  negotiateOverWebSocket,
  negotiateOverWhxp,
  requestServerOffer,
  parseHeaderFlags,
  parseOfferFieldFlags,
  parseTargetUrl,
} from "../../../src/lib/signaling/index.js";
import { WebSocketServer } from "ws";

const offer = { type: "offer" as const, sdp: "v=0\r\noffer" };
const requests: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }> = [];
let server: Server;
let base = "";

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
  if (req.url === "/offer") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "answer", sdp: "v=0\r\nanswer", sessionid: 42 }));
  } else if (req.url === "/whep" && req.method === "POST") {
    res.writeHead(201, { "content-type": "application/sdp", location: "/whep/resource/7" }).end("v=0\r\nwhep-answer");
  } else if (req.url === "/whep/resource/7" && req.method === "DELETE") {
    res.writeHead(200).end();
  } else if (req.url === "/api/offer" && req.method === "POST") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "answer", sdp: "v=0\r\nanswer", pc_id: "pc-7" }));
  } else if (req.url === "/api/offer" && req.method === "PATCH") {
    const { pc_id } = JSON.parse(body) as { pc_id?: string };
    if (pc_id === "pc-7") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success" }));
    else res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ detail: "Peer connection not found" }));
  } else if (req.url === "/pipecat" && req.method === "POST") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "answer", sdp: "v=0\r\nanswer", pc_id: "SmallWebRTCConnection#0-1f2e" }));
  } else if (req.url === "/fastrtc") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "answer", sdp: "v=0\r\nanswer" }));
  } else if (req.url === "/custom") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "answer", sdp: "v=0\r\nanswer", id: 1, stream: { name: "s-9" }, streamId: "s-9" }));
  } else if (req.url === "/streams" && req.method === "POST") {
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ id: "s 1", session_id: "sess-xyz", offer: { type: "offer", sdp: "v=0\r\nserver-offer" }, ice_servers: [{ urls: ["stun:10.0.0.1:3478", "turn:10.0.0.1:3478"], username: "u", credential: "p" }] }),
    );
  } else if (req.url === "/streams/s%201/sdp") {
    const { session_id } = JSON.parse(body) as { session_id?: string };
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(session_id === "sess-xyz" ? { status: "success" } : { code: -1, msg: "bad session_id" }));
  } else if (req.url === "/streams-noid") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "offer", sdp: "v=0\r\nserver-offer" }));
  } else if (req.url === "/streams-answer-refused/sdp") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ code: 7, msg: "stream expired" }));
  } else if (req.url === "/trickle" && req.method === "POST") {
    res.writeHead(201, { "content-type": "application/sdp", location: "/trickle/r1", etag: '"r1"' }).end("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n");
  } else if (req.url === "/trickle/r1" && req.method === "PATCH") {
    res.writeHead(200, { "content-type": "application/trickle-ice-sdpfrag" }).end("a=ice-ufrag:srv\r\na=ice-pwd:srvpwd\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host\r\na=end-of-candidates\r\n");
  } else if (req.url === "/no-trickle" && req.method === "POST") {
    res.writeHead(201, { "content-type": "application/sdp", location: "/no-trickle/r2" }).end("v=0\r\nanswer");
  } else if (req.url === "/no-trickle/r2" && req.method === "PATCH") {
    res.writeHead(405, { allow: "DELETE" }).end("no trickle here");
  } else if (req.url === "/no-trickle/r2" && req.method === "DELETE") {
    res.writeHead(200).end();
  } else if (req.url === "/refuse") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ code: -1, msg: "no such avatar" }));
  } else {
    res.writeHead(404).end("missing");
  }
}

before(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

const options = { ...defaultSignalingOptions, timeoutMs: 2000, headers: { authorization: "Bearer t0k" }, offerFields: { avatar_id: 3 } };

describe("POST /offer JSON", () => {
  test("sends {sdp,type} plus the extra fields and headers; returns the answer and its sessionid", async () => {
    const negotiated = await negotiateOverHttpOffer(`${base}/offer`, offer, options);
    assert.equal(negotiated.answer.sdp, "v=0\r\nanswer");
    assert.equal(negotiated.sessionId, "42");
    const sent = requests.at(-1)!;
    assert.deepEqual(JSON.parse(sent.body), { avatar_id: 3, sdp: offer.sdp, type: "offer" });
    assert.equal(sent.headers["content-type"], "application/json");
    assert.equal(sent.headers.authorization, "Bearer t0k");
  });
  test("the session id under each server's key: Pipecat's pc_id; fastrtc's webrtc_id, which the viewer sent; --session-id-field", async () => {
    assert.equal((await negotiateOverHttpOffer(`${base}/pipecat`, offer, options)).sessionId, "SmallWebRTCConnection#0-1f2e");
    const fastrtc = { ...options, offerFields: { webrtc_id: "9b1c0d7e-viewer" } };
    assert.equal((await negotiateOverHttpOffer(`${base}/fastrtc`, offer, fastrtc)).sessionId, "9b1c0d7e-viewer", "an answer without an id: the offer's webrtc_id names the session");
    assert.equal((await negotiateOverHttpOffer(`${base}/fastrtc`, offer, options)).sessionId, null, "no id anywhere: none recorded");
    assert.equal((await negotiateOverHttpOffer(`${base}/custom`, offer, options)).sessionId, "1", "default keys: id");
    assert.equal((await negotiateOverHttpOffer(`${base}/custom`, offer, { ...options, sessionIdField: "streamId" })).sessionId, "s-9", "--session-id-field wins over the default keys");
    assert.equal((await negotiateOverHttpOffer(`${base}/fastrtc`, offer, { ...fastrtc, sessionIdField: "webrtc_id" })).sessionId, "9b1c0d7e-viewer");
  });
  test("an HTTP-200 error body becomes the server's own message", async () => {
    await assert.rejects(negotiateOverHttpOffer(`${base}/refuse`, offer, options), /^Error: Target at http:\/\/127\.0\.0\.1:\d+\/refuse refused the offer \(code -1\): no such avatar\.$/);
  });
});

describe("the server makes the offer (D-ID Streams' shape)", () => {
  test("POSTs the offer fields, reads the offer, its ICE servers and session; the answer goes to the filled URL with session_id and the headers", async () => {
    const started = await requestServerOffer(`${base}/streams`, "/streams/{session}/sdp", options);
    assert.deepEqual(started.offer, { type: "offer", sdp: "v=0\r\nserver-offer" });
    assert.equal(started.sessionId, "s 1");
    assert.deepEqual(started.iceServers, [
      { urls: "stun:10.0.0.1:3478", username: "u", credential: "p" },
      { urls: "turn:10.0.0.1:3478", username: "u", credential: "p" },
    ]);
    assert.deepEqual(JSON.parse(requests.at(-1)!.body), { avatar_id: 3 });
    await started.answer({ type: "answer", sdp: "v=0\r\nour-answer" });
    const sent = requests.at(-1)!;
    assert.equal(sent.url, "/streams/s%201/sdp");
    assert.deepEqual(JSON.parse(sent.body), { answer: { type: "answer", sdp: "v=0\r\nour-answer" }, session_id: "sess-xyz" });
    assert.equal(sent.headers.authorization, "Bearer t0k");
  });
  test("each way it can fail is one line naming the URL", async () => {
    await assert.rejects(requestServerOffer(`${base}/streams-noid`, "/streams/{session}/sdp", options), {
      message: `Target at ${base}/streams-noid named no session in its offer (id, session_id, …; or --session-id-field), so the answer URL \`/streams/{session}/sdp\` cannot be filled.`,
    });
    const refused = await requestServerOffer(`${base}/streams-noid`, "/streams-answer-refused/sdp", options);
    await assert.rejects(refused.answer({ type: "answer", sdp: "v=0\r\nx" }), { message: `Target at ${base}/streams-answer-refused/sdp refused the answer (code 7): stream expired.` });
    await assert.rejects(requestServerOffer(`${base}/offer`, "/x", options), /^Error: Target at http:\/\/127\.0\.0\.1:\d+\/offer sent an unusable offer: expected an offer/);
    await assert.rejects(requestServerOffer(`${base}/refuse`, "/x", options), /^Error: Target at http:\/\/127\.0\.0\.1:\d+\/refuse refused to start a session \(code -1\): no such avatar\.$/);
    await assert.rejects(requestServerOffer(`${base}/streams`, "http://127.0.0.2:9/{session}/sdp", options), /would take the answer at http:\/\/127\.0\.0\.2:9\/s%201\/sdp: another origin than .*add --allow-redirect http:\/\/127\.0\.0\.2:9\.$/);
  });
});

describe("WHEP with --trickle (RFC 9725 §4.3)", () => {
  const offerWithCandidates = "v=0\r\na=ice-ufrag:ab\r\na=ice-pwd:cdef\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:0 1 UDP 2130706431 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n";
  test("the offer goes without candidates, they follow in a PATCH with If-Match, and the server's join its answer", async () => {
    const negotiated = await negotiateOverWhxp(`${base}/trickle`, { type: "offer", sdp: offerWithCandidates }, { ...options, trickle: true }, "WHEP");
    const [post, patch] = requests.slice(-2);
    assert.doesNotMatch(post!.body, /candidate/, "the offer carries no candidate");
    assert.equal(patch!.method, "PATCH");
    assert.equal(patch!.headers["content-type"], "application/trickle-ice-sdpfrag");
    assert.equal(patch!.headers["if-match"], '"r1"');
    assert.equal(patch!.headers.authorization, "Bearer t0k");
    assert.equal(patch!.body, "a=ice-ufrag:ab\r\na=ice-pwd:cdef\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:0 1 UDP 2130706431 127.0.0.1 50000 typ host\r\na=end-of-candidates\r\n");
    assert.equal(
      negotiated.answer.sdp,
      "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:1 1 udp 2130706431 10.0.0.2 40000 typ host\r\na=end-of-candidates\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n",
      "the server's candidate in the answer's first (BUNDLE) section",
    );
  });
  test("a server that refuses the PATCH: one line naming the resource, and the session is DELETEd", async () => {
    await assert.rejects(negotiateOverWhxp(`${base}/no-trickle`, { type: "offer", sdp: offerWithCandidates }, { ...options, trickle: true }, "WHEP"), {
      message: `WHEP endpoint ${base}/no-trickle/r2 refused the trickled candidates: HTTP 405 Method Not Allowed: no trickle here. Does it take trickled candidates? Without --trickle the offer carries them all.`,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual([requests.at(-1)!.method, requests.at(-1)!.url], ["DELETE", "/no-trickle/r2"]);
  });
});

describe("JSON offer with --trickle (Pipecat SmallWebRTC's PATCH /api/offer)", () => {
  const offerWithCandidates = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=candidate:0 1 UDP 2130706431 127.0.0.1 50000 typ host\r\na=candidate:1 1 UDP 2130706431 10.0.0.1 50001 typ host\r\na=end-of-candidates\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\n";
  test("the offer goes without candidates; they follow in a PATCH to the offer URL naming the answer's pc_id", async () => {
    const negotiated = await negotiateOverHttpOffer(`${base}/api/offer`, { type: "offer", sdp: offerWithCandidates }, { ...options, trickle: true });
    assert.equal(negotiated.sessionId, "pc-7");
    const [post, patch] = requests.slice(-2);
    assert.doesNotMatch(JSON.parse(post!.body).sdp, /candidate/, "the offer carries no candidate");
    assert.deepEqual([patch!.method, patch!.url, patch!.headers["content-type"], patch!.headers.authorization], ["PATCH", "/api/offer", "application/json", "Bearer t0k"]);
    assert.deepEqual(JSON.parse(patch!.body), {
      pc_id: "pc-7",
      candidates: [
        { candidate: "candidate:0 1 UDP 2130706431 127.0.0.1 50000 typ host", sdp_mid: "0", sdp_mline_index: 0 },
        { candidate: "candidate:1 1 UDP 2130706431 10.0.0.1 50001 typ host", sdp_mid: "0", sdp_mline_index: 0 },
      ],
    });
  });
  test("a PATCH the server refuses, or an answer with no session to name: one line each", async () => {
    await assert.rejects(negotiateOverHttpOffer(`${base}/api/offer`, { type: "offer", sdp: offerWithCandidates }, { ...options, trickle: true, sessionIdField: "sessionid" }), {
      message: `Target at ${base}/api/offer named no session in its answer (pc_id, …; or --session-id-field), which the trickled candidates must name.`,
    });
    await assert.rejects(negotiateOverHttpOffer(`${base}/pipecat`, { type: "offer", sdp: offerWithCandidates }, { ...options, trickle: true }), {
      message: `Target at ${base}/pipecat refused the trickled candidates: HTTP 404 Not Found: missing.`,
    });
  });
});

describe("WHEP / WHIP", () => {
  test("POSTs application/sdp, reads 201 + Location, DELETEs the resource on close", async () => {
    const negotiated = await negotiateOverWhxp(`${base}/whep`, offer, options, "WHEP");
    assert.equal(negotiated.answer.sdp, "v=0\r\nwhep-answer");
    assert.equal(negotiated.sessionId, `${base}/whep/resource/7`);
    const sent = requests.at(-1)!;
    assert.equal(sent.headers["content-type"], "application/sdp");
    assert.equal(sent.body, offer.sdp);
    assert.equal(sent.headers.authorization, "Bearer t0k");
    negotiated.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual({ method: requests.at(-1)!.method, url: requests.at(-1)!.url }, { method: "DELETE", url: "/whep/resource/7" });
  });
  test("a 404 names the URL and hints at the path", async () => {
    await assert.rejects(negotiateOverWhxp(`${base}/nope`, offer, options, "WHIP"), /Target at http:\/\/127\.0\.0\.1:\d+\/nope answered HTTP 404 Not Found: missing\. Is the path right\?/);
  });
});

describe("WebSocket JSON", () => {
  test("extra fields ride along with the offer; greetings before the answer are skipped; sessionid kept", async () => {
    const received: unknown[] = [];
    const wss = await new Promise<WebSocketServer>((resolve) => {
      const s: WebSocketServer = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => resolve(s));
    });
    wss.on("connection", (socket, req) => {
      socket.on("message", (data) => {
        received.push({ message: JSON.parse(data.toString()), auth: req.headers.authorization });
        socket.send(JSON.stringify({ type: "welcome" }));
        socket.send(JSON.stringify({ type: "answer", sdp: "v=0\r\nws", session_id: "abc" }));
      });
    });
    try {
      const negotiated = await negotiateOverWebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}/`, offer, options);
      assert.equal(negotiated.sessionId, "abc");
      assert.deepEqual(received, [{ message: { avatar_id: 3, type: "offer", sdp: offer.sdp }, auth: "Bearer t0k" }]);
      negotiated.close();
    } finally {
      wss.close();
    }
  });
});

describe("flag parsing", () => {
  test("--target schemes name the signaling", () => {
    assert.deepEqual(parseTargetUrl("ws://h:1/ws", "target"), { kind: "ws-json", url: "ws://h:1/ws" });
    assert.deepEqual(parseTargetUrl("https://h/offer", "target"), { kind: "http-offer", url: "https://h/offer" });
    assert.deepEqual(parseTargetUrl("whep+http://h:8889/live/whep", "target"), { kind: "whep", url: "http://h:8889/live/whep" });
    assert.deepEqual(parseTargetUrl("whip+https://h/whip", "push"), { kind: "whip", url: "https://h/whip" });
    assert.throws(() => parseTargetUrl("nonsense", "target"), /Expected `--target` to be a URL .* got `nonsense`/);
  });
  test("--header and --offer-field", () => {
    assert.deepEqual(parseHeaderFlags(["Authorization: Bearer x", "X-Avatar=3"]), { Authorization: "Bearer x", "X-Avatar": "3" });
    assert.throws(() => parseHeaderFlags(["no separator"]), /Expected `--header` as `Name: value`, got `no separator`/);
    assert.deepEqual(parseOfferFieldFlags(["avatar_id=3", "name=anna", "live=true", "empty="]), { avatar_id: 3, name: "anna", live: true, empty: "" });
    assert.throws(() => parseOfferFieldFlags(["sdp=x"]), /cannot replace the offer's own `sdp`/);
  });
});
