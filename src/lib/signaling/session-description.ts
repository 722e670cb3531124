import { quoteSnippet as snippet } from "../text/index.js";

/** An SDP offer or answer as the WebSocket JSON signaling carries it: `{"type":"offer","sdp":"v=0…"}`. */
export interface SessionDescription {
  type: "offer" | "answer";
  sdp: string;
}

/** Reads one signaling message, quoting what was wrong with it instead of throwing a parser error. */
export function parseSignalingMessage(raw: string, expected: SessionDescription["type"]): SessionDescription {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    throw new Error(`Expected a JSON ${expected}, got \`${snippet(raw)}\`.`);
  }
  if (typeof message !== "object" || message === null) {
    throw new Error(`Expected a JSON object with type "${expected}", got \`${snippet(raw)}\`.`);
  }
  const { type, sdp } = message as { type?: unknown; sdp?: unknown };
  if (type !== expected) {
    throw new Error(`Expected a message of type "${expected}", got type \`${snippet(String(type), 40)}\`.`);
  }
  if (typeof sdp !== "string" || !sdp.startsWith("v=0")) {
    throw new Error(`Expected the ${expected} to carry an SDP starting with "v=0", got \`${snippet(String(sdp), 40)}\`.`);
  }
  return { type: expected, sdp };
}
