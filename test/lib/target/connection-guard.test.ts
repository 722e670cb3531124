// test: unit
// serve --host: the target answers to its own address besides loopback's names, and still to
// nothing else (a DNS-rebinding page names its own host).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { refuseRequest, refuseUpgrade } from "../../../src/lib/target/connection-guard.js";

const policy = { host: "10.213.0.2", port: 8080, allowedOrigins: [], maxSessions: 2 };
const request = (host: string, origin?: string) => ({ headers: { host, ...(origin ? { origin } : {}) }, url: "/ws" });

test("on --host 10.213.0.2: Host 10.213.0.2:8080 and loopback's names are served, others refused naming all three", () => {
  for (const host of ["10.213.0.2:8080", "127.0.0.1:8080", "localhost:8080"]) assert.equal(refuseRequest(request(host), policy), null, host);
  assert.deepEqual(refuseRequest(request("evil.example:8080"), policy), { status: 403, message: "avsync serve answers only to Host 127.0.0.1:8080, localhost:8080 or 10.213.0.2:8080." });
  assert.equal(refuseUpgrade(request("10.213.0.2:8080", "http://10.213.0.2:8080"), { ...policy, path: "/ws", sessions: 0 }), null, "its own page on that address may open the WebSocket");
  assert.equal(refuseUpgrade(request("10.213.0.2:8080", "http://evil.example"), { ...policy, path: "/ws", sessions: 0 })?.status, 403);
});

test("on loopback the refusal names loopback only, and an IPv6 address is named in brackets", () => {
  assert.equal(refuseRequest(request("x:80"), { ...policy, host: "127.0.0.1" })?.message, "avsync serve answers only to Host 127.0.0.1:8080 or localhost:8080.");
  assert.equal(refuseRequest(request("[fd00::2]:8080"), { ...policy, host: "fd00::2" }), null);
});
