// test: unit
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

// The rooms' import directions (.dependency-cruiser.cjs) hold on src/, and the check really fails on an
// arrow that runs up and on a circle: a check that cannot fail proves nothing.

const repo = join(dirname(fileURLToPath(import.meta.url)), "../..");
const depcruise = join(repo, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const config = join(repo, ".dependency-cruiser.cjs");

function cruise(cwd: string): { code: number | null; output: string } {
  const run = spawnSync(process.execPath, [depcruise, "src", "--config", config], { cwd, encoding: "utf8" });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

function withTree(files: Record<string, string>, check: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "avsync-rooms-"));
  try {
    cpSync(join(repo, "tsconfig.json"), join(dir, "tsconfig.json"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("src/ has no upward import between rooms and no circle of runtime imports", () => {
  const { code, output } = cruise(repo);
  assert.equal(code, 0, output);
  assert.match(output, /no dependency violations found/);
});

test("an upward import fails the check, a type-only one too: the gate reading a type from the report", () => {
  withTree(
    {
      "src/lib/report/index.ts": "export type Rendered = { html: string };\n",
      "src/lib/gate/index.ts": 'import type { Rendered } from "../report/index.js";\nexport type Judged = Rendered;\n',
    },
    (dir) => {
      const { code, output } = cruise(dir);
      assert.notEqual(code, 0, output);
      assert.match(output, /no-upward-from-gate: src\/lib\/gate\/index\.ts → src\/lib\/report\/index\.ts/);
    },
  );
});

test("a circle of runtime imports inside one room fails the check; a type imported back does not", () => {
  const files = (back: string) => ({
    "src/lib/text/a.ts": 'import { b } from "./b.js";\nexport const a = (): number => b + 1;\nexport type A = number;\n',
    "src/lib/text/b.ts": `${back}\nexport const b = 1;\n`,
  });
  withTree(files('import { a } from "./a.js";\nexport const c = a;'), (dir) => {
    const { code, output } = cruise(dir);
    assert.notEqual(code, 0, output);
    assert.match(output, /no-circular/);
  });
  withTree(files('import type { A } from "./a.js";\nexport type C = A;'), (dir) => {
    const { code, output } = cruise(dir);
    assert.equal(code, 0, output);
  });
});

test("a room missing from the list fails the check until it is given its place", () => {
  withTree({ "src/lib/newroom/index.ts": 'import { b } from "../text/b.js";\nexport const n = b;\n', "src/lib/text/b.ts": "export const b = 1;\n" }, (dir) => {
    const { code, output } = cruise(dir);
    assert.notEqual(code, 0, output);
    assert.match(output, /no-unknown-room/);
  });
});
