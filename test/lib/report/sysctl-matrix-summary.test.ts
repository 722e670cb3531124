import assert from "node:assert/strict";
import { test } from "node:test";
import type { SysctlMatrixResult } from "../../../src/lib/matrix/index.js";
import { formatSysctlMatrixSummary } from "../../../src/lib/report/index.js";

// A regression: a failed cell's error text went into the Markdown table as it was, so a `|` in it
// (or a newline, or a backtick) broke the table in summary.md.
test("a failed cell's error cannot break the matrix table", () => {
  const result = {
    complete: false,
    meta: { kernel: "6.18" },
    cells: [{ label: "tcp_tw_reuse=1", settings: {}, summary: null, error: "ip netns | exec failed:\n`sysctl` *denied*", storm: null }],
    verdicts: [],
    warnings: [],
  } as unknown as SysctlMatrixResult;
  const table = formatSysctlMatrixSummary(result).split("\n").filter((line) => line.startsWith("| tcp"));
  assert.equal(table.length, 1, "one line");
  assert.equal(table[0], "| tcp\\_tw\\_reuse=1 | failed: ip netns \\| exec failed: \\`sysctl\\` \\*denied\\* | | | | | | | |");
  assert.equal(table[0]!.split(/(?<!\\)\|/).length - 2, 9, "still nine cells");
});

// A regression: the verdicts' stored strings (headline, sentences, fact, the docs link, warnings,
// the kernel) went into summary.md unescaped, so an edited result.json could inject HTML, links
// or terminal escapes through `avsync report`.
test("every stored string of a matrix result is escaped, and only a plain http(s) URL becomes a link", () => {
  const evil = "<img src=x>\x1b[2J|`*";
  const result = {
    complete: true,
    meta: { kernel: evil },
    cells: [],
    verdicts: [
      {
        key: evil,
        heldFixed: { tcp_fin_timeout: evil },
        headline: evil,
        changed: [{ metric: "peak", sentence: evil }],
        unchanged: [{ metric: "latency", sentence: evil }],
        fact: evil,
        docsUrl: "javascript:alert(1)) [x](http://evil",
      },
    ],
    warnings: [evil],
  } as unknown as SysctlMatrixResult;
  const text = formatSysctlMatrixSummary(result);
  assert.ok(!text.includes("<img") && !text.includes("\x1b"), text);
  assert.equal(text.match(/&lt;img src=x&gt;\\\\x1b\\\[2J\\\|\\`\\\*/g)?.length, 8, text);
  assert.doesNotMatch(text, /\]\(javascript:/);
  assert.match(text, /kernel documentation: javascript:alert\(1\)\) \\\[x\\\]\(http:\/\/evil/);
});
