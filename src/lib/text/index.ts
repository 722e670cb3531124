export { neutralizeText, safeText, quoteSnippet, maxTerminalLineChars } from "./external-text.js";
