// test: system
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { execa } from "execa";
import { createNamespacePair, listAvsyncNamespaces, removeNamespaces, setNamespaceSysctl, readNamespaceSysctls } from "../../../src/lib/netns/index.js";

const isRoot = process.getuid?.() === 0;

test("creates a pair that has no route out, sets sysctls inside it, and removes it", { skip: !isRoot && "needs root" }, async () => {
  const pair = await createNamespacePair();
  try {
    assert.match((await execa("ip", ["-n", pair.client.name, "-br", "addr"])).stdout, /avs-c@\S+\s+\S+\s+10\.213\.0\.1\/30/);
    assert.match((await execa("ip", ["-n", pair.server.name, "-br", "addr"])).stdout, /avs-s@\S+\s+\S+\s+10\.213\.0\.2\/30/);
    const routes = (await execa("ip", ["-n", pair.client.name, "route"])).stdout;
    assert.doesNotMatch(routes, /default/);
    await setNamespaceSysctl(pair.client.name, "net.ipv4.tcp_tw_reuse", "0");
    assert.equal((await readNamespaceSysctls(pair.client.name))["net.ipv4.tcp_tw_reuse"], "0");
    assert.equal((await readNamespaceSysctls(undefined))["net.ipv4.tcp_tw_reuse"], (await execa("sysctl", ["-n", "net.ipv4.tcp_tw_reuse"])).stdout);
  } finally {
    await removeNamespaces([pair.client.name, pair.server.name]);
  }
  const left = await listAvsyncNamespaces();
  assert.ok(!left.includes(pair.client.name) && !left.includes(pair.server.name));
});

test("the reaper removes a killed owner's namespaces", { skip: !isRoot && "needs root" }, async () => {
  const script = `
    import { createNamespacePair, startNamespaceReaper } from ${JSON.stringify(new URL("../../../src/lib/netns/index.ts", import.meta.url).href)};
    const pair = await createNamespacePair();
    startNamespaceReaper([pair.client.name, pair.server.name]);
    console.log(JSON.stringify(pair));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve) => child.stdout.once("data", (data: Buffer) => resolve(data.toString())));
  const pair = JSON.parse(line) as { client: { name: string }; server: { name: string } };
  assert.ok((await listAvsyncNamespaces()).includes(pair.client.name));
  child.kill("SIGKILL");
  // The reaper removes the two one after the other: wait for both (one busy-core run checked right
  // after the client's had gone and found the server's still there), 10 s on a loaded machine.
  const deadline = Date.now() + 10_000;
  const ours = (names: string[]): boolean => names.includes(pair.client.name) || names.includes(pair.server.name);
  while (Date.now() < deadline && ours(await listAvsyncNamespaces())) await new Promise((r) => setTimeout(r, 100));
  const left = await listAvsyncNamespaces();
  assert.ok(!left.includes(pair.client.name) && !left.includes(pair.server.name), `left: ${left.join(", ")}`);
});
