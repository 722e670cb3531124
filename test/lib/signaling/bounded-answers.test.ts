// test: system
// A regression: a 1 GiB answer body took avsync to 2.2 GB of memory, a 5 MB refusal message became
// a 5 MB error line, and a 64 MB WebSocket answer was accepted. Everything read from a target is
// now bounded, and what is quoted of it is a short, inert prefix.
import { strict as assert } from "node:assert";
import { after, before, describe, test } from "node:test";
import type { WebSocket } from "ws";
import { defaultSignalingOptions, maxSignalingBytes, negotiateOverHttpOffer, negotiateOverWebSocket, negotiateOverWhxp } from "../../../src/lib/signaling/index.js";
import { startHttpServer, type TestServer } from "../../helpers/hostile-targets.js";

const offer = { type: "offer" as const, sdp: "v=0\r\noffer" };
const options = { ...defaultSignalingOptions, timeoutMs: 10_000 };
const chunk = Buffer.alloc(1 << 20, "v");
let server: TestServer;
let bytesSent = 0;

// Streams `total` bytes of body for as long as the client reads them.
function flood(res: import("node:http").ServerResponse, total: number): void {
  let left = total;
  const pump = (): void => {
    while (left > 0) {
      left -= chunk.length;
      bytesSent += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", pump);
    }
    res.end();
  };
  res.on("close", () => (left = 0));
  pump();
}

before(async () => {
  server = await startHttpServer(
    (req, res) => {
      req.resume();
      if (req.url === "/gigabyte") return flood(res.writeHead(200, { "content-type": "application/json" }), 1 << 30);
      if (req.url === "/declared") return void res.writeHead(200, { "content-type": "application/sdp", "content-length": String(1 << 30) }).end();
      if (req.url === "/refusal") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ code: -1, msg: `\x1b[2J${"no avatar ".repeat(20_000)}` }));
      if (req.url === "/huge-refusal") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ code: -1, msg: `\x1b[2J${"no avatar ".repeat(500_000)}` }));
      if (req.url === "/error-page") return void res.writeHead(500, { "content-type": "text/html" }).end(`<html>\x07${"x".repeat(5_000_000)}`);
      res.writeHead(404).end();
    },
    (socket: WebSocket, req) => {
      socket.once("message", () => {
        if (req.url === "/huge") socket.send(JSON.stringify({ type: "answer", sdp: `v=0\r\n${"a".repeat(64 << 20)}` }));
      });
    },
  );
});
after(() => server.close());

describe("bounded reads", () => {
  test("an endless answer body stops at the cap with one line; memory stays flat", { timeout: 30_000 }, async () => {
    const rssBefore = process.memoryUsage().rss;
    await assert.rejects(negotiateOverHttpOffer(`http://${server.host}/gigabyte`, offer, options), /sent an answer larger than 256 KiB, starting `v+…`; an SDP answer is a few kB\.$/);
    const grownMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    // Sockets buffer a few MB in flight; the old code grew by the whole body (2.2 GB for 1 GiB).
    assert.ok(bytesSent < 64 << 20, `${bytesSent} bytes sent before avsync stopped reading`);
    assert.ok(grownMb < 100, `RSS grew by ${grownMb.toFixed(0)} MB`);
  });
  test("a declared Content-Length beyond the cap fails before reading", async () => {
    await assert.rejects(negotiateOverWhxp(`http://${server.host}/declared`, offer, options, "WHEP"), /larger than 256 KiB/);
  });
  test("a 200 kB refusal message is quoted by its start, inert; a 5 MB one is cut at the cap, its start quoted", async () => {
    await assert.rejects(negotiateOverHttpOffer(`http://${server.host}/refusal`, offer, options), (error: Error) => {
      assert.ok(error.message.length < 400, `${error.message.length} characters`);
      assert.match(error.message, /refused the offer \(code -1\): \\x1b\[2Jno avatar no avatar .*…\.$/);
      return true;
    });
    await assert.rejects(negotiateOverHttpOffer(`http://${server.host}/huge-refusal`, offer, options), (error: Error) => {
      assert.ok(error.message.length < 400, `${error.message.length} characters`);
      assert.match(error.message, /sent an answer larger than 256 KiB, starting `\{"code":-1,"msg":"\\u001b\[2Jno avatar .*…`; an SDP answer is a few kB\.$/);
      return true;
    });
  });
  test("a 5 MB error page is quoted by its start", async () => {
    await assert.rejects(negotiateOverHttpOffer(`http://${server.host}/error-page`, offer, options), (error: Error) => {
      assert.ok(error.message.length < 300, `${error.message.length} characters`);
      assert.match(error.message, /answered HTTP 500 Internal Server Error: <html>\\x07x+…\.$/);
      return true;
    });
  });
  test("a 64 MB WebSocket answer is refused at the message cap", async () => {
    assert.equal(maxSignalingBytes, 256 * 1024);
    await assert.rejects(negotiateOverWebSocket(`ws://${server.host}/huge`, offer, options), /sent a signaling message larger than 256 KiB/);
  });
});
