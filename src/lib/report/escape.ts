// Strings in a report can come from a target (error messages, SDP fields, headers, session ids)
// or a user's flags: every renderer escapes them through here, never by hand.

/** Escapes text for HTML element content and double- or single-quoted attributes. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Serialises data for an inline `<script type="application/json">`, which `</script>` or U+2028 must not break. */
export function inlineJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Escapes text for a Markdown table cell or paragraph: one line, no table breaks, no HTML, no emphasis or links. */
export function escapeMarkdown(text: unknown): string {
  return String(text)
    .replace(/[\r\n]+/g, " ")
    .replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!)
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`);
}

/** Escapes text for XML attributes and content, dropping the control characters XML 1.0 cannot carry at all. */
export function escapeXml(text: unknown): string {
  return String(text)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "")
    .replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}
