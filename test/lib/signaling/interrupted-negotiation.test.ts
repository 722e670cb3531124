// test: system
// A regression: Ctrl-C while waiting for a silent target's answer was ignored until the signaling
// timeout (58 s with --signaling-timeout 60). Every flavour now ends the wait when aborted.
import { strict as assert } from "node:assert";
import { performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { after, before, test } from "node:test";
import { defaultSignalingOptions, negotiateOverHttpOffer, negotiateOverWebSocket, negotiateOverWhxp } from "../../../src/lib/signaling/index.js";
import { startHttpServer, type TestServer } from "../../helpers/hostile-targets.js";

const offer = { type: "offer" as const, sdp: "v=0\r\noffer" };
let silent: TestServer;
const hanging = new Set<import("node:http").ServerResponse>();

before(async () => {
  // Accepts every request and WebSocket offer and never answers.
  silent = await startHttpServer((req, res) => void (req.resume(), hanging.add(res)), () => undefined);
});
after(async () => {
  for (const res of hanging) res.destroy();
  await silent.close();
});

for (const [flavour, negotiate] of [
  ["WebSocket JSON", (signal: AbortSignal) => negotiateOverWebSocket(`ws://${silent.host}/ws`, offer, { ...defaultSignalingOptions, timeoutMs: 60_000, signal })],
  ["POST /offer", (signal: AbortSignal) => negotiateOverHttpOffer(`http://${silent.host}/offer`, offer, { ...defaultSignalingOptions, timeoutMs: 60_000, signal })],
  ["WHEP", (signal: AbortSignal) => negotiateOverWhxp(`http://${silent.host}/whep`, offer, { ...defaultSignalingOptions, timeoutMs: 60_000, signal }, "WHEP")],
] as const) {
  test(`${flavour}: aborting ends the wait for a silent target at once`, async () => {
    const controller = new AbortController();
    const waiting = negotiate(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const abortedAt = performance.now();
    controller.abort();
    await assert.rejects(waiting, /^Error: Interrupted while waiting for the answer from (ws|http):\/\/127\.0\.0\.1:\d+\/(ws|offer|whep)\.$/);
    const tookMs = performance.now() - abortedAt;
    // Nothing but the event loop stands between the abort and the rejection; 1 s leaves room for a busy machine.
    assert.ok(tookMs < 1000, `${tookMs.toFixed(0)} ms after the abort`);
  });
}

// A regression: under garbage collection the deadline never fired (Node 20 collects an
// AbortSignal.timeout that only an AbortSignal.any refers to, nodejs/node#57736), and a bench with
// --signaling-timeout 1.5 waited on a silent target until the test killed it 30 s later. Collecting
// every 20 ms while waiting reproduced that every time; the deadline must fire regardless.
setFlagsFromString("--expose-gc");
const collect = runInNewContext("gc") as () => void;
for (const [flavour, negotiate] of [
  ["POST /offer", (signal: AbortSignal) => negotiateOverHttpOffer(`http://${silent.host}/offer`, offer, { ...defaultSignalingOptions, timeoutMs: 500, signal })],
  ["WHEP", (signal: AbortSignal) => negotiateOverWhxp(`http://${silent.host}/whep`, offer, { ...defaultSignalingOptions, timeoutMs: 500, signal }, "WHEP")],
] as const) {
  test(`${flavour}: the signaling deadline fires while the garbage collector runs`, { timeout: 10_000 }, async () => {
    const startedAt = performance.now();
    const collecting = setInterval(collect, 20);
    try {
      await assert.rejects(negotiate(new AbortController().signal), /did not answer the offer within 0\.5 s/);
    } finally {
      clearInterval(collecting);
    }
    // The deadline is 500 ms; the rest is the event loop on a busy machine.
    assert.ok(performance.now() - startedAt < 5000, `${(performance.now() - startedAt).toFixed(0)} ms`);
  });
}
