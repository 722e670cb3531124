#!/usr/bin/env node
import { readdirSync, statSync } from "node:fs";
import { Config, Plugin, execute } from "@oclif/core";

// oclif answers --help from oclif.manifest.json (written by `npm run build`) without importing any
// command module. A manifest older than the built commands (dist/ rebuilt by tsc alone) would describe
// old flags: then the commands are read from dist/ itself, as without a manifest.
const mtimeMs = (url) => {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return undefined;
  }
};

function manifestIsStale() {
  const manifestMs = mtimeMs(new URL("../oclif.manifest.json", import.meta.url));
  if (manifestMs === undefined) return false;
  const commands = new URL("../dist/commands/", import.meta.url);
  let names = [];
  try {
    names = readdirSync(commands);
  } catch {}
  return names.some((name) => (mtimeMs(new URL(name, commands)) ?? 0) > manifestMs);
}

const root = new URL("..", import.meta.url).pathname;
let loadOptions = root;
if (manifestIsStale()) {
  const plugin = new Plugin({ isRoot: true, root, ignoreManifest: true });
  await plugin.load();
  loadOptions = await Config.load({ root, plugins: new Map([[plugin.name, plugin]]) });
}
await execute({ loadOptions });
