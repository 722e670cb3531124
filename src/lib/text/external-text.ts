// Text that avsync did not write — a target's answer, error body, close reason or session id, or a
// result.json someone edited — reaches terminals, Markdown, HTML, JUnit and result.json. Control
// characters in it could move the cursor, ring the bell, rewrite a line or reorder what is shown
// (bidi overrides), and megabytes of it fill a terminal or a report: this is the one place that
// makes such text inert and short.

// C0 and C1 controls, DEL, the line/paragraph separators and the bidi marks, embeddings, overrides and isolates.
const unsafe = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** The longest text a report cell shows of anything external. */
export const maxShownChars = 4000;

/** The longest line avsync writes to a terminal: a summary line or an error stays readable. */
export const maxTerminalLineChars = 1000;

/** Writes every control or bidi character as a visible escape (`\x1b`, `\n`, `\u202e`); everything else is kept. */
export function neutralizeText(text: string): string {
  return text.replace(unsafe, (c) => named[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/**
 * Text safe to show anywhere: at most `maxChars` characters of it (then `… (N characters in all)`),
 * with control characters made visible. Cut before it is escaped, so a huge text costs no more than a short one.
 */
export function safeText(value: unknown, maxChars = maxShownChars): string {
  const text = String(value);
  if (text.length <= maxChars) return neutralizeText(text);
  // Never leave half a surrogate pair at the cut.
  const cut = /[\ud800-\udbff]/.test(text[maxChars - 1]!) ? maxChars - 1 : maxChars;
  return `${neutralizeText(text.slice(0, cut))}… (${text.length} characters in all)`;
}

/** The start of a target's reply on one line (runs of whitespace folded), for quoting in an error. */
export function quoteSnippet(text: string, maxChars = 80): string {
  const start = Math.max(0, text.search(/\S/));
  const head = text.slice(start, start + maxChars * 4);
  const line = head.replace(/\s+/g, " ").trim();
  const cut = line.length > maxChars || start + head.length < text.length;
  return `${neutralizeText(line.slice(0, maxChars))}${cut ? "…" : ""}`;
}
