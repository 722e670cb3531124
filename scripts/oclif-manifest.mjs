// Writes oclif.manifest.json after the build: the commands' ids, flags and help as oclif itself caches
// them, so `avsync --help` and `avsync <command> --help` answer without importing any command module
// (each pulls werift, libav.js, canvas or ajv). Generated from dist/ at every build, never committed.
import { rmSync, writeFileSync } from "node:fs";
import { Config } from "@oclif/core";

const root = new URL("..", import.meta.url).pathname;
const manifestUrl = new URL("../oclif.manifest.json", import.meta.url);
// oclif's root plugin reads an existing manifest whatever the options say: the old one goes first.
rmSync(manifestUrl, { force: true });
const config = await Config.load({ root });
const manifest = config.getPluginsList().find((plugin) => plugin.root === config.root)?.manifest;
if (!manifest || Object.keys(manifest.commands).length === 0) {
  console.error("oclif-manifest: found no commands in dist/commands; build first (tsc -p tsconfig.json).");
  process.exit(1);
}
writeFileSync(manifestUrl, `${JSON.stringify(manifest, null, 1)}\n`);
