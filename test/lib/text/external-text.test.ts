import { strict as assert } from "node:assert";
import { test } from "node:test";
import { neutralizeText, quoteSnippet, safeText } from "../../../src/lib/text/index.js";

test("control, DEL, C1, line-separator and bidi characters become visible escapes; other text is kept", () => {
  assert.equal(neutralizeText("a\x1b[2Jb\x07c\x7f\x9bd"), "a\\x1b[2Jb\\x07c\\x7f\\x9bd");
  assert.equal(neutralizeText("line\nnext\r\ttab"), "line\\nnext\\r\\ttab");
  assert.equal(neutralizeText("abc\u202edcb\u2066x\u2069\u2028"), "abc\\u202edcb\\u2066x\\u2069\\u2028");
  assert.equal(neutralizeText("Δt −40 ms … ✅ 音"), "Δt −40 ms … ✅ 音");
});

test("safeText caps before escaping and says how long the text was", () => {
  const huge = "\x1b".repeat(5_000_000);
  const shown = safeText(huge, 10);
  assert.equal(shown, `${"\\x1b".repeat(10)}… (5000000 characters in all)`);
  assert.equal(safeText("short"), "short");
  assert.equal(safeText(`${"a".repeat(9)}😀`, 10), `${"a".repeat(9)}… (11 characters in all)`, "no half surrogate pair at the cut");
});

test("quoteSnippet folds whitespace to one line and marks a cut", () => {
  assert.equal(quoteSnippet("  <html>\n  <body>\x1b[31m  "), "<html> <body>\\x1b[31m");
  assert.equal(quoteSnippet("x".repeat(100), 80), `${"x".repeat(80)}…`);
  assert.equal(quoteSnippet(`${" ".repeat(1000)}${"y".repeat(5_000_000)}`, 10), `${"y".repeat(10)}…`);
});
