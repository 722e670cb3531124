// test: system, group media
// A server that is not on avsync's loopback: aiortc (fixtures/aiortc/sync_server.py) runs in one
// network namespace of the test's own, listening and offering its only host candidate on the veth
// address 10.213.0.2 (no 127.0.0.1 candidate at all), and `avsync bench --target` runs in the other
// namespace (10.213.0.1), as a user's probe would reach a staging server. Nothing leaves the two
// namespaces: the veth pair lives entirely inside them, and both are removed after the file.
// The offset must come back within aiortc's tolerance (docs/targets.md, ±3 ms) and result.json must
// say which candidate pair carried the media.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
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

describe("a server in another network namespace that offers no loopback candidate", { skip: skip ?? false }, () => {
  let pair: NamespacePair;
  const servers = new Map<number, AiortcServer>();
  before(async () => {
    pair = await createNamespacePair();
    for (const offsetMs of [-100, 40]) {
      servers.set(offsetMs, await startAiortcServer(["--offset-ms", String(offsetMs)], { netns: pair.server.name, host: pair.server.address }));
    }
  });
  after(async () => {
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
});
