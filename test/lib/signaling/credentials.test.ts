// test: system
// A regression: a WHEP server whose `Location` named another host got avsync's DELETE there with
// `Authorization` and every --header, and an HTTP /offer answering 307 to another host got the
// offer re-posted there with the custom headers. Headers now go to the target's own origin only.
import { strict as assert } from "node:assert";
import type { IncomingMessage } from "node:http";
import { after, before, describe, test } from "node:test";
import { defaultSignalingOptions, negotiateOverHttpOffer, negotiateOverWhxp, parseOriginFlags, type SignalingOptions } from "../../../src/lib/signaling/index.js";
import { startHttpServer, type TestServer } from "../../helpers/hostile-targets.js";

const offer = { type: "offer" as const, sdp: "v=0\r\noffer" };
const answer = "v=0\r\nanswer";
type Seen = { method: string; url: string; headers: IncomingMessage["headers"] };

let target: TestServer;
let elsewhere: TestServer;
const seenByTarget: Seen[] = [];
const seenElsewhere: Seen[] = [];

before(async () => {
  elsewhere = await startHttpServer((req, res) => {
    req.resume();
    seenElsewhere.push({ method: req.method!, url: req.url!, headers: req.headers });
    if (req.url === "/offer") res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "answer", sdp: answer }));
    else res.writeHead(200).end();
  });
  target = await startHttpServer((req, res) => {
    req.resume();
    seenByTarget.push({ method: req.method!, url: req.url!, headers: req.headers });
    const away = `http://${elsewhere.host}`;
    switch (req.url) {
      case "/whep-elsewhere":
        return void res.writeHead(201, { "content-type": "application/sdp", location: `${away}/resource/1` }).end(answer);
      case "/whep-here":
        return void res.writeHead(201, { "content-type": "application/sdp", location: "/resource/2" }).end(answer);
      case "/offer-307-elsewhere":
        return void res.writeHead(307, { location: `${away}/offer` }).end();
      case "/offer-307-here":
        return void res.writeHead(307, { location: "/offer" }).end();
      case "/offer-302":
        return void res.writeHead(302, { location: "/offer" }).end();
      case "/offer":
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "answer", sdp: answer }));
      default:
        res.writeHead(200).end();
    }
  });
});
after(async () => {
  await target.close();
  await elsewhere.close();
});

const secrets = { authorization: "Bearer s3cret", "x-api-key": "k3y" };
const options = (allowed: string[] = []): SignalingOptions => ({ ...defaultSignalingOptions, timeoutMs: 3000, headers: secrets, allowedOrigins: allowed });
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));
const carriesSecrets = (seen: Seen): boolean => seen.headers.authorization !== undefined || seen.headers["x-api-key"] !== undefined;

describe("WHEP Location on another origin", () => {
  test("is refused on one line naming --allow-redirect; nothing reaches the other origin", async () => {
    const before = seenElsewhere.length;
    await assert.rejects(negotiateOverWhxp(`http://${target.host}/whep-elsewhere`, offer, options(), "WHEP"), (error: Error) => {
      assert.equal(error.message.split("\n").length, 1);
      assert.match(error.message, /named its session resource at http:\/\/127\.0\.0\.1:\d+\/resource\/1, where avsync would send its DELETE: another origin than http:\/\/127\.0\.0\.1:\d+, and avsync sends its --header values only to the target's own origin\. To go there without them, add --allow-redirect http:\/\/127\.0\.0\.1:\d+\./);
      return true;
    });
    await settle();
    assert.equal(seenElsewhere.length, before);
  });
  test("an allowed origin gets the DELETE without any header", async () => {
    const negotiated = await negotiateOverWhxp(`http://${target.host}/whep-elsewhere`, offer, options([`http://${elsewhere.host}`]), "WHEP");
    negotiated.close();
    await settle();
    const deletes = seenElsewhere.filter((s) => s.method === "DELETE");
    assert.equal(deletes.length, 1);
    assert.ok(!carriesSecrets(deletes[0]!), JSON.stringify(deletes[0]!.headers));
  });
  test("on the target's own origin the DELETE carries the headers", async () => {
    const negotiated = await negotiateOverWhxp(`http://${target.host}/whep-here`, offer, options(), "WHEP");
    negotiated.close();
    await settle();
    const deleted = seenByTarget.filter((s) => s.method === "DELETE" && s.url === "/resource/2");
    assert.equal(deleted.length, 1);
    assert.equal(deleted[0]!.headers.authorization, "Bearer s3cret");
  });
});

describe("POST /offer redirected", () => {
  test("a 307 to another origin is refused; the offer is not re-posted there", async () => {
    const before = seenElsewhere.length;
    await assert.rejects(negotiateOverHttpOffer(`http://${target.host}/offer-307-elsewhere`, offer, options()), /redirected the offer to http:\/\/127\.0\.0\.1:\d+\/offer: another origin .* add --allow-redirect/);
    await settle();
    assert.equal(seenElsewhere.length, before);
  });
  test("a 307 on the same origin is followed with the headers", async () => {
    const negotiated = await negotiateOverHttpOffer(`http://${target.host}/offer-307-here`, offer, options());
    assert.equal(negotiated.answer.sdp, answer);
    const reposted = seenByTarget.at(-1)!;
    assert.deepEqual([reposted.method, reposted.url, reposted.headers["x-api-key"]], ["POST", "/offer", "k3y"]);
  });
  test("a 307 to an allowed origin is followed without any header", async () => {
    const negotiated = await negotiateOverHttpOffer(`http://${target.host}/offer-307-elsewhere`, offer, options([`http://${elsewhere.host}`]));
    assert.equal(negotiated.answer.sdp, answer);
    const reposted = seenElsewhere.at(-1)!;
    assert.deepEqual([reposted.method, reposted.url], ["POST", "/offer"]);
    assert.ok(!carriesSecrets(reposted), JSON.stringify(reposted.headers));
  });
  test("a 302 (which would turn the offer into a GET) is reported, not followed", async () => {
    await assert.rejects(negotiateOverHttpOffer(`http://${target.host}/offer-302`, offer, options()), /answered HTTP 302 Found to \/offer \(avsync re-sends an offer only on 307\/308\)/);
  });
});

test("--allow-redirect takes bare http(s) origins and quotes anything else back", () => {
  assert.deepEqual(parseOriginFlags(["http://127.0.0.1:9000", "https://relay.example/"], "allow-redirect"), ["http://127.0.0.1:9000", "https://relay.example"]);
  assert.throws(() => parseOriginFlags(["127.0.0.1:9000"], "allow-redirect"), /Expected `--allow-redirect` to be an origin such as http:\/\/127\.0\.0\.1:9000 .* got `127\.0\.0\.1:9000`/);
  assert.throws(() => parseOriginFlags(["http://h/path"], "allow-redirect"), /got `http:\/\/h\/path`/);
});
