// --ice-server and --ice-transport become werift's ICE servers, bad values are quoted back, and
// result.json never keeps a TURN password or a header value (meta.flags).
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { parseIceServerFlags, targetConfigFromFlags, targetFlags } from "../../../src/lib/cli/target-flags.js";
import { flagsForRecord } from "../../../src/lib/cli/recorded-flags.js";
import { pusherFlags } from "../../../src/lib/cli/shared-flags.js";
import { isLoopbackUrl } from "../../../src/lib/rtc/index.js";

const base = { "media-timeout": 3, sessions: 1, ramp: 10, "signaling-timeout": 10, content: "auto" as const, target: "http://10.213.0.2:8080/offer" };

test("STUN, TURN over UDP/TCP and TURN over TLS parse into werift's ICE servers", () => {
  assert.deepEqual(parseIceServerFlags(["stun:10.0.0.1:3478", "turn:alice:s3cret@10.0.0.2:3478?transport=tcp"]), [
    { urls: "stun:10.0.0.1:3478" },
    { urls: "turn:10.0.0.2:3478?transport=tcp", username: "alice", credential: "s3cret" },
  ]);
  assert.deepEqual(parseIceServerFlags(["turns:bob:pw@turn.example.org:5349"]), [{ urls: "turns:turn.example.org:5349", username: "bob", credential: "pw" }]);
  assert.deepEqual(parseIceServerFlags(["stun:[::1]:3478"]), [{ urls: "stun:[::1]:3478" }]);
});

test("bad --ice-server values are refused with the value quoted", () => {
  assert.throws(() => parseIceServerFlags(["stun.example.org:3478"]), /Expected `--ice-server` as stun:host:port.*got `stun.example.org:3478`/);
  assert.throws(() => parseIceServerFlags(["turn:10.0.0.2:3478"]), /A TURN server needs user:pass@ before its host: `--ice-server turn:10.0.0.2:3478`/);
  assert.throws(() => parseIceServerFlags(["stun:u:p@10.0.0.2:3478"]), /A STUN server takes no user and password/);
  assert.throws(() => parseIceServerFlags(["turns:u:p@10.0.0.2:5349?transport=udp"]), /TURN over TLS runs over TCP/);
  assert.throws(() => parseIceServerFlags(["stun:10.0.0.1:0"]), /a port 1–65535/);
  assert.throws(() => parseIceServerFlags(["stun:10.0.0.1:3478", "stun:10.0.0.3:3478"]), /Only one STUN server is used .* `--ice-server stun:10.0.0.3:3478` is a second/);
});

test("the flags ask for network ICE only when they say more than the default", () => {
  assert.equal(targetConfigFromFlags(base).ice, undefined, "the default is runBench's, from the target's host");
  assert.deepEqual(targetConfigFromFlags({ ...base, "ice-server": ["turn:u:p@10.0.0.2:3478"], "ice-transport": "relay" }).ice, {
    scope: "network",
    servers: [{ urls: "turn:10.0.0.2:3478", username: "u", credential: "p" }],
    transport: "relay",
  });
  assert.throws(() => targetConfigFromFlags({ ...base, "ice-transport": "relay" }), /`--ice-transport relay` needs a TURN server/);
  assert.throws(() => targetConfigFromFlags({ ...base, "ice-server": ["stun:10.0.0.1:3478"], "ice-transport": "relay" }), /needs a TURN server/);
});

test("meta.flags keeps only what config does not record: never a header value or a TURN password", () => {
  const flags = { header: ["Authorization: Bearer t0k", "X-Key:abc"], "ice-server": ["turn:alice:s3cret@10.0.0.2:3478", "stun:10.0.0.1:3478"], duration: 6, threshold: ["offset.content.p95 < 45"], probe: "node" };
  const kept = flagsForRecord(flags, { ...pusherFlags, ...targetFlags, duration: true });
  assert.deepEqual(kept, { threshold: ["offset.content.p95 < 45"], probe: "node" });
  assert.doesNotMatch(JSON.stringify(kept), /t0k|abc|s3cret/);
  // What result.json's config.ice records of them: the URLs, without users or passwords (run-bench.ts keeps `urls`).
  const ice = targetConfigFromFlags({ ...base, "ice-server": flags["ice-server"] }).ice;
  assert.deepEqual(ice?.scope === "network" ? ice.servers.map((server) => server.urls) : [], ["turn:10.0.0.2:3478", "stun:10.0.0.1:3478"]);
});

test("a target on 127.0.0.0/8, ::1 or localhost is on loopback; any other host is not", () => {
  for (const url of ["ws://127.0.0.1:8/ws", "http://127.3.4.5/offer", "whep+http://[::1]:8889/live/whep", "http://localhost:80/offer"]) assert.equal(isLoopbackUrl(url), true, url);
  for (const url of ["http://10.213.0.2:8080/offer", "ws://[2001:db8::1]:8/ws", "https://avatar.example.org/offer", "not a url"]) assert.equal(isLoopbackUrl(url), false, url);
});
