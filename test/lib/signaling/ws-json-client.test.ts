// test: system
import { strict as assert } from "node:assert";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { WebSocketServer } from "ws";
import { negotiateOverWebSocket } from "../../../src/lib/signaling/index.js";

const offer = { type: "offer" as const, sdp: "v=0\r\n" };

function listen(onMessage: (socket: import("ws").WebSocket, data: string) => void): Promise<{ url: string; close: () => void }> {
  return new Promise((resolve) => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 }, () => {
      const { port } = wss.address() as { port: number };
      resolve({ url: `ws://127.0.0.1:${port}/ws`, close: () => wss.close() });
    });
    wss.on("connection", (socket) => socket.on("message", (data) => onMessage(socket, data.toString())));
  });
}

describe("negotiateOverWebSocket", () => {
  test("returns the answer the target sends", async () => {
    const server = await listen((socket) => socket.send(JSON.stringify({ type: "answer", sdp: "v=0\r\nanswer" })));
    const { answer, close } = await negotiateOverWebSocket(server.url, offer, 2000);
    assert.equal(answer.sdp, "v=0\r\nanswer");
    close();
    server.close();
  });

  test("a target that never answers: a timeout error naming the URL", async () => {
    const server = await listen(() => undefined);
    await assert.rejects(negotiateOverWebSocket(server.url, offer, 300), (error: Error) => {
      assert.match(error.message, /did not answer the offer within 0.3 s/);
      assert.ok(error.message.includes(server.url));
      return true;
    });
    server.close();
  });

  test("nothing listening: an error naming the URL and the errno", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    await assert.rejects(negotiateOverWebSocket(`ws://127.0.0.1:${port}/ws`, offer, 2000), /Could not reach the target at ws:\/\/127\.0\.0\.1:\d+\/ws \(ECONNREFUSED\)/);
  });

  test("an answer that is not SDP is quoted back", async () => {
    const server = await listen((socket) => socket.send(JSON.stringify({ type: "answer", sdp: "<html>" })));
    await assert.rejects(negotiateOverWebSocket(server.url, offer, 2000), /sent an unusable answer: .*got `<html>`/);
    server.close();
  });
});
