// test: system
// Not in the media group: every figure it asserts is on the sender clock (RTP timestamps and Sender
// Reports), which a busy core does not move; only the connection must come up.
// A server that is not on avsync's loopback: aiortc (fixtures/aiortc/sync_server.py) runs in one
// network namespace of the test's own, listening and offering its only host candidate on the veth
// address 10.213.0.2 (no 127.0.0.1 candidate at all), and `avsync bench --target` runs in the other
// namespace (10.213.0.1), as a user's probe would reach a staging server. Nothing leaves the two
// namespaces: the veth pair lives entirely inside them, and both are removed after the file.
// The offset must come back within aiortc's tolerance (docs/targets.md, ±3 ms) and result.json must
// say which candidate pair carried the media. Then the same through a TURN relay: Debian's coturn,
// started in the server's namespace on 10.213.0.2:3478 with relay ports 49160–49200 only, and
// `--ice-transport relay`: the probe's candidate must be a relay candidate coturn allocated. Last, the
// path over IPv6 only (ULA addresses of the test's own on the veth).
import { strict as assert } from "node:assert";
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import type { BenchResult } from "../../src/lib/bench/index.js";
import { createNamespacePair, removeNamespaces, type NamespacePair } from "../../src/lib/netns/index.js";
import { aiortcMissing, startAiortcServer, type AiortcServer } from "../helpers/aiortc-server.js";
import { tempDir } from "../helpers/temp-dir.js";

const isRoot = process.getuid?.() === 0;
const skip = !isRoot ? "needs root (network namespaces)" : aiortcMissing();
const bin = fileURLToPath(new URL("../../bin/run.js", import.meta.url));
const coturnMissing = spawnSync("turnserver", ["--version"], { encoding: "utf8" }).error ? "needs Debian's coturn (scripts/setup.sh --test)" : null;
const relayPorts = [49160, 49200] as const;
const toleranceMs = 3;
const durationS = 6;

// Runs the built CLI inside a namespace; its JSON result and exit code.
function benchIn(netns: string, args: string[]): Promise<{ code: number; result: BenchResult | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile("ip", ["netns", "exec", netns, process.execPath, bin, "bench", ...args, "--json"], { timeout: 90_000, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      let result: BenchResult | null = null;
      try {
        result = JSON.parse(stdout) as BenchResult;
      } catch {
        // reported through the assertion below
      }
      resolve({ code, result, stderr });
    });
  });
}

// Starts coturn in a namespace (long-term credentials, no TLS, no CLI) and resolves once it listens.
function startCoturn(netns: string, address: string): Promise<{ stop: () => Promise<void> }> {
  const dir = tempDir("avsync-coturn-");
  const args = ["netns", "exec", netns, "turnserver", "-n", "--listening-ip", address, "--relay-ip", address, "--listening-port", "3478",
    "--min-port", String(relayPorts[0]), "--max-port", String(relayPorts[1]), "--lt-cred-mech", "--user", "avsync:s3cret", "--realm", "avsync.test",
    "--no-tls", "--no-dtls", "--no-cli", "--no-tcp-relay", "--log-file", "stdout", "--simple-log", "-v",
    // Its pid file and user database in a folder of the test's own, not /var/run and /var/lib/turn.
    "--pidfile", join(dir, "turnserver.pid"), "--userdb", join(dir, "turndb")];
  const child: ChildProcess = spawn("ip", args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        resolve();
      }
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`coturn did not listen within 10 s: ${log.slice(-500)}`))), 10_000);
    child.stdout!.on("data", (d) => {
      log += d.toString();
      if (/UDP listener opened on/.test(log)) {
        clearTimeout(timer);
        resolve({ stop });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited (${code}): ${log.slice(-500)}`));
    });
  });
}

describe("a server in another network namespace that offers no loopback candidate", { skip: skip ?? false }, () => {
  let pair: NamespacePair;
  const servers = new Map<number, AiortcServer>();
  let coturn: { stop: () => Promise<void> } | undefined;
  before(async () => {
    pair = await createNamespacePair();
    for (const offsetMs of [-100, 40]) {
      servers.set(offsetMs, await startAiortcServer(["--offset-ms", String(offsetMs)], { netns: pair.server.name, host: pair.server.address }));
    }
  });
  after(async () => {
    await coturn?.stop();
    await Promise.all([...servers.values()].map((s) => s.stop()));
    if (pair) await removeNamespaces([pair.client.name, pair.server.name]);
  });

  for (const offsetMs of [-100, 40]) {
    test(`${offsetMs > 0 ? "+" : ""}${offsetMs} ms over the namespaces' veth, host candidates at both ends`, async (t) => {
      const server = servers.get(offsetMs)!;
      const out = join(tempDir("avsync-net-"), "run");
      const { code, result, stderr } = await benchIn(pair.client.name, ["--target", `http://${server.base}/offer`, "--duration", String(durationS), "--out", out]);
      assert.ok(result, `no JSON result (exit ${code}): ${stderr.slice(-400)}`);
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      assert.equal(code, 0, stderr.slice(-400));
      assert.deepEqual(result.config.ice, { scope: "network", servers: [], transport: "all" });
      const path = result.received.icePath!;
      t.diagnostic(`media path ${JSON.stringify(path)}`);
      assert.deepEqual([path.local.type, path.local.address], ["host", pair.client.address]);
      assert.deepEqual([path.remote.type, path.remote.address, path.remote.protocol], ["host", pair.server.address, "udp"]);
      const probe = result.probe!;
      assert.equal(probe.markers.source, "flash-beep");
      assert.ok(probe.markers.paired >= durationS - 2, `paired ${probe.markers.paired}`);
      const sender = probe.content.senderOffsetMs.p50!;
      t.diagnostic(`sender-clock offset ${sender.toFixed(2)} ms (p50 of ${probe.markers.paired}), arrival ${probe.content.arrivalOffsetMs.p50?.toFixed(2)} ms`);
      assert.ok(Math.abs(sender - offsetMs) <= toleranceMs, `sender-clock offset ${sender.toFixed(2)} ms vs ${offsetMs}`);
    });
  }

  test("+40 ms through a TURN relay (coturn), relayed candidates only", { skip: coturnMissing ?? false }, async (t) => {
    coturn = await startCoturn(pair.server.name, pair.server.address);
    const server = servers.get(40)!;
    const out = join(tempDir("avsync-net-"), "run");
    const turn = `turn:avsync:s3cret@${pair.server.address}:3478?transport=udp`;
    const { code, result, stderr } = await benchIn(pair.client.name, ["--target", `http://${server.base}/offer`, "--duration", String(durationS), "--ice-server", turn, "--ice-transport", "relay", "--out", out]);
    assert.ok(result, `no JSON result (exit ${code}): ${stderr.slice(-400)}`);
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    assert.deepEqual(result.config.ice, { scope: "network", servers: [`turn:${pair.server.address}:3478?transport=udp`], transport: "relay" });
    assert.doesNotMatch(JSON.stringify(result), /s3cret/, "the TURN password is nowhere in the result");
    const path = result.received.icePath!;
    t.diagnostic(`media path ${JSON.stringify(path)}`);
    // coturn's own allocation: its relay address and a port from the range it was given.
    assert.equal(path.local.type, "relay");
    assert.equal(path.local.address, pair.server.address);
    assert.ok(path.local.port >= relayPorts[0] && path.local.port <= relayPorts[1], `relay port ${path.local.port} outside coturn's ${relayPorts.join("–")}`);
    const sender = result.probe!.content.senderOffsetMs.p50!;
    t.diagnostic(`sender-clock offset ${sender.toFixed(2)} ms through the relay`);
    assert.ok(Math.abs(sender - 40) <= toleranceMs, `sender-clock offset ${sender.toFixed(2)} ms vs 40`);
  });

  test("a wrong TURN password: exit 2, one line naming the TURN server, its 401 and the candidates tried", { skip: coturnMissing ?? false }, async () => {
    coturn ??= await startCoturn(pair.server.name, pair.server.address);
    const server = servers.get(40)!;
    const out = join(tempDir("avsync-net-"), "run");
    const turn = `turn:avsync:wrong@${pair.server.address}:3478?transport=udp`;
    const { code, result, stderr } = await benchIn(pair.client.name, ["--target", `http://${server.base}/offer`, "--duration", "3", "--ice-server", turn, "--ice-transport", "relay", "--signaling-timeout", "4", "--out", out]);
    assert.equal(code, 2, stderr.slice(-400));
    assert.equal(result?.complete, false);
    // (aiortc's answer to an offer without candidates carries none of its own either.)
    assert.match(result!.incompleteReason!, /peer connection (failed before it connected|not connected after 4000 ms) .*ICE candidates tried: ours none, the target's [^;]+; the TURN server turn:10\.213\.0\.2:3478 gave no relay candidate \(it answered 401 Unauthorized\)$/);
  });

  test("avsync serve --host in the server's namespace: bench reaches it over the veth, +80 ms exact", async (t) => {
    const serve = spawn("ip", ["netns", "exec", pair.server.name, process.execPath, bin, "serve", "--host", pair.server.address, "--port", "0", "--content-offset-ms", "80"], {
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    serve.stderr!.on("data", (d) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not listen within 30 s: ${stderr}`)), 30_000);
        serve.stderr!.on("data", () => {
          const match = /avsync target listening: (ws:\/\/\S+)/.exec(stderr);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        serve.once("exit", (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
      });
      assert.match(stderr, new RegExp(`warning: ${pair.server.address.replace(/\./g, "\\.")} is not loopback: any host that reaches it can take a session`));
      assert.match(url, new RegExp(`^ws://${pair.server.address.replace(/\./g, "\\.")}:\\d+/ws$`));
      const out = join(tempDir("avsync-net-"), "run");
      const { code, result, stderr: benchErr } = await benchIn(pair.client.name, ["--target", url, "--duration", "4", "--out", out]);
      assert.ok(result, `no JSON result (exit ${code}): ${benchErr.slice(-400)}`);
      assert.equal(result.complete, true, result.incompleteReason ?? "");
      const path = result.received.icePath!;
      t.diagnostic(`media path ${JSON.stringify(path)}`);
      assert.deepEqual([path.remote.type, path.remote.address], ["host", pair.server.address], "the target sent from the address it was told to");
      assert.equal(path.local.address, pair.client.address);
      // avsync's own pattern: the sender-clock offset is exact (docs/targets.md), whatever the path.
      const sender = result.probe!.content.senderOffsetMs.p50!;
      assert.ok(Math.abs(sender - 80) <= 1, `sender-clock offset ${sender.toFixed(2)} ms vs 80`);
    } finally {
      if (serve.exitCode === null && serve.signalCode === null) {
        const exited = new Promise((resolve) => serve.once("exit", resolve));
        process.kill(-serve.pid!, "SIGTERM");
        await exited;
      }
    }
  });
});

// The same path over IPv6 only: ULA addresses of the test's own (fd00:213::/64) on the veth, no IPv4
// on it, the server offering its one IPv6 host candidate; the probe gathers on every interface.
describe("a server reachable over IPv6 only", { skip: skip ?? false }, () => {
  const v6 = { client: "fd00:213::1", server: "fd00:213::2" };
  let pair: NamespacePair;
  let server: AiortcServer;
  before(async () => {
    pair = await createNamespacePair();
    for (const [end, dev, address] of [[pair.client, "avs-c", v6.client], [pair.server, "avs-s", v6.server]] as const) {
      spawnSync("ip", ["-n", end.name, "addr", "flush", "dev", dev], { encoding: "utf8" });
      // nodad: usable at once (duplicate address detection would hold it for a second or two).
      const added = spawnSync("ip", ["-n", end.name, "addr", "add", `${address}/64`, "dev", dev, "nodad"], { encoding: "utf8" });
      assert.equal(added.status, 0, added.stderr);
    }
    server = await startAiortcServer(["--offset-ms", "40"], { netns: pair.server.name, host: v6.server });
  });
  after(async () => {
    await server?.stop();
    if (pair) await removeNamespaces([pair.client.name, pair.server.name]);
  });

  test("+40 ms over IPv6 host candidates at both ends", async (t) => {
    const out = join(tempDir("avsync-net-"), "run");
    const { code, result, stderr } = await benchIn(pair.client.name, ["--target", `http://${server.base}/offer`, "--duration", String(durationS), "--out", out]);
    assert.ok(result, `no JSON result (exit ${code}): ${stderr.slice(-400)}`);
    assert.equal(result.complete, true, result.incompleteReason ?? "");
    const path = result.received.icePath!;
    t.diagnostic(`media path ${JSON.stringify(path)}`);
    assert.deepEqual([path.local.type, path.local.address], ["host", v6.client]);
    assert.deepEqual([path.remote.type, path.remote.address, path.remote.protocol], ["host", v6.server, "udp"]);
    const sender = result.probe!.content.senderOffsetMs.p50!;
    assert.ok(Math.abs(sender - 40) <= toleranceMs, `sender-clock offset ${sender.toFixed(2)} ms vs 40`);
  });
});
