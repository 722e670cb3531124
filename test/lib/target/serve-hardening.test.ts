// test: system
// A regression: `serve` accepted any Origin and Host (a page on any site could drive it through the
// user's browser), held idle sockets forever (300 of them), and took 100 MiB messages. Each limit
// is checked here against a real embedded target on 127.0.0.1.
import { strict as assert } from "node:assert";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { noInjections } from "../../../src/lib/pusher/index.js";
import { startEmbeddedTarget, type EmbeddedTarget } from "../../../src/lib/target/index.js";

let target: EmbeddedTarget;
let port = 0;
const handshakeTimeoutMs = 800;

before(async () => {
  target = await startEmbeddedTarget({ mode: "paced", pattern: {}, injections: noInjections, allowedOrigins: ["http://127.0.0.1:3000"], maxSessions: 2, handshakeTimeoutMs });
  port = Number(new URL(target.url).port);
});
after(() => target.close());

// Opens the signaling WebSocket with these headers; resolves with the socket once open, or the HTTP status it was refused with.
function open(headers: Record<string, string> = {}, path = "/ws"): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    socket.once("open", () => resolve(socket));
    socket.once("unexpected-response", (_req, res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    socket.once("error", reject);
  });
}

async function get(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    let reply = "";
    socket.on("data", (d) => (reply += d.toString()));
    socket.on("end", () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(reply)?.[1])));
    socket.on("error", reject);
  });
}

const closed = (socket: WebSocket): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));

describe("who may connect", () => {
  test("a page from another origin is refused with 403; the target's own page, an allowed origin and a tool without Origin get in", async () => {
    assert.equal(await open({ origin: "https://evil.example" }), 403);
    assert.equal(await open({ origin: `http://127.0.0.1:${port + 1}` }), 403, "another port is another origin");
    for (const headers of [{ origin: `http://127.0.0.1:${port}` }, { origin: `http://localhost:${port}` }, { origin: "http://127.0.0.1:3000" }, {}] as Array<Record<string, string>>) {
      const socket = await open(headers);
      assert.ok(socket instanceof WebSocket, `${JSON.stringify(headers)} refused with ${socket}`);
      socket.terminate();
      await closed(socket);
    }
  });
  test("a Host that is not loopback (a DNS-rebinding page) is refused, for the page and the WebSocket", async () => {
    assert.equal(await get("/", "evil.example"), 403);
    assert.equal(await get("/", `evil.example:${port}`), 403);
    assert.equal(await get("/", `127.0.0.1:${port}`), 200);
    assert.equal(await get("/", `localhost:${port}`), 200);
    assert.equal(await open({ host: `evil.example:${port}` }), 403);
  });
  test("another path is 404", async () => {
    assert.equal(await open({}, "/other"), 404);
  });
});

describe("limits", () => {
  test("a WebSocket that sends no offer is closed after the handshake timeout", async () => {
    const socket = (await open()) as WebSocket;
    const startedAt = performance.now();
    const { code, reason } = await closed(socket);
    const tookMs = performance.now() - startedAt;
    assert.equal(code, 1008);
    assert.equal(reason, "no offer within 0.8 s");
    // The timer is set when the socket opens; a busy machine may fire it late, never early.
    assert.ok(tookMs >= handshakeTimeoutMs - 50 && tookMs < handshakeTimeoutMs + 2000, `${tookMs.toFixed(0)} ms`);
  });
  test("a TCP connection that sends nothing is closed after the handshake timeout", async () => {
    const startedAt = performance.now();
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.on("close", () => resolve());
      socket.on("error", reject);
      socket.resume();
    });
    const tookMs = performance.now() - startedAt;
    assert.ok(tookMs >= handshakeTimeoutMs - 50 && tookMs < handshakeTimeoutMs + 3000, `${tookMs.toFixed(0)} ms`);
  });
  test("a message over 256 KiB closes the socket with 1009", async () => {
    const socket = (await open()) as WebSocket;
    socket.send(JSON.stringify({ type: "offer", sdp: `v=0\r\n${"a".repeat(300 * 1024)}` }));
    assert.equal((await closed(socket)).code, 1009);
  });
  test("beyond --max-sessions a client is refused with 503", async () => {
    const first = (await open()) as WebSocket;
    const second = (await open()) as WebSocket;
    assert.equal(await open(), 503);
    for (const socket of [first, second]) socket.terminate();
    await Promise.all([closed(first), closed(second)]);
  });
});
