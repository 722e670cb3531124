import { safeText } from "../text/index.js";

// Strings in a report can come from a target (error messages, SDP fields, headers, session ids)
// or a user's flags or an edited result.json: every renderer escapes them through here, never by
// hand, and each first goes through safeText (capped, control characters made visible).

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(text: unknown): string {
  return safeText(String(text).replace(/[\r\n]+/g, " ")).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Serialises data for an inline `<script type="application/json">`, which `</script>` or U+2028 must not break. */
export function inlineJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

// summary.md must fit a pull-request comment (GitHub takes 65,536 characters): a cell shows this much of any text.
const maxMarkdownChars = 300;

/** Escapes text for a Markdown table cell or paragraph: one line, no table breaks, no HTML, no emphasis or links. */
export function escapeMarkdown(text: unknown): string {
  return safeText(String(text).replace(/[\r\n]+/g, " "), maxMarkdownChars)
    .replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

/** Escapes text for XML attributes and content; control characters (which XML 1.0 cannot carry) are shown as escapes. */
export function escapeXml(text: unknown): string {
  return safeText(text)
    .replace(/[\ufffe\uffff]/g, "")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}
