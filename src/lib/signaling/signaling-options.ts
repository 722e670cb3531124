import { checkOfferFieldTemplate } from "./offer-template.js";

/** What a server may need besides the offer: a token in a header, an avatar id in the request body. */
export interface SignalingOptions {
  timeoutMs: number;
  /** Sent with the signaling request (HTTP) or the WebSocket handshake. */
  headers: Record<string, string>;
  /** Added to the JSON offer (POST /offer and WebSocket JSON); WHEP/WHIP bodies are plain SDP and carry none. Filled per session (expandOfferFields) before it gets here. */
  offerFields: Record<string, unknown>;
  /**
   * Where a JSON answer carries the server's session id (`--session-id-field`), or, when the answer
   * has no such field, the offer field that named the session (fastrtc's `webrtc_id`). Unset: the
   * answer's `sessionid`, `session_id`, `sessionId`, `pc_id`, `webrtc_id` or `id`, else the offer's `webrtc_id` or `pc_id`.
   */
  sessionIdField?: string;
  /**
   * `--signaling-flow answer`: the server makes the offer (D-ID Streams' shape). The target URL is
   * POSTed the offer fields, and avsync's answer goes to this URL, `{session}` filled with the
   * server's session id. Unset: avsync offers, the server answers.
   */
  answerUrl?: string;
  /**
   * `--trickle` (WHEP/WHIP): the offer goes without candidates, and they follow in a PATCH to the
   * session resource (RFC 9725 §4.3); candidates the server sends back join its answer.
   */
  trickle?: boolean;
  /**
   * Origins other than the target's that a 307/308 redirect or a WHEP/WHIP `Location` may lead to
   * (`--allow-redirect`); they are reached without any of `headers`. Empty: only the target's own origin.
   */
  allowedOrigins: string[];
  /** Ends the negotiation early (Ctrl-C). */
  signal?: AbortSignal;
}

/** The answer plus what the server said about the session and how to end it. */
export interface NegotiatedSession {
  answer: { type: "answer"; sdp: string };
  /** The server's name for this session (`sessionid` in the answer, or the WHEP resource URL); null when it gave none. */
  sessionId: string | null;
  /** Ends the session on the server: closes the WebSocket, or DELETEs the WHEP/WHIP resource. */
  close: () => void;
  /**
   * Settles, with a sentence, when the server dropped the session's signaling connection (WebSocket
   * JSON: the socket is the session); absent for flavours without one.
   */
  dropped?: Promise<string>;
}

/** A session whose server made the offer: what it offered, and how to hand it our answer. */
export interface ServerOffer {
  offer: { type: "offer"; sdp: string };
  /** STUN/TURN servers the server named (used only when the probe's ICE reaches beyond loopback). */
  iceServers: { urls: string; username?: string; credential?: string }[];
  sessionId: string | null;
  /** POSTs the answer to the answer URL; rejects with a sentence naming it when the server refuses. */
  answer(answer: { type: "answer"; sdp: string }): Promise<void>;
  close: () => void;
}

export const defaultSignalingOptions: SignalingOptions = { timeoutMs: 10_000, headers: {}, offerFields: {}, allowedOrigins: [] };

/** Parses repeated origin flags (`http://host:port`), quoting one back that is not a bare http(s) origin. */
export function parseOriginFlags(values: readonly string[], flagName: string): string[] {
  return values.map((value) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.pathname !== "/" || url.search || url.hash || url.username || url.password) {
      throw new Error(`Expected \`--${flagName}\` to be an origin such as http://127.0.0.1:9000 (scheme, host and port only), got \`${value}\`.`);
    }
    return url.origin;
  });
}

/** Parses repeated `name: value` / `name=value` flags into a header map, quoting a malformed one back. */
export function parseHeaderFlags(values: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const value of values) {
    const match = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*[:=]\s*(.*)$/.exec(value);
    if (!match) throw new Error(`Expected \`--header\` as \`Name: value\`, got \`${value}\`.`);
    headers[match[1]!] = match[2]!;
  }
  return headers;
}

/**
 * Parses repeated `key=value` flags into extra offer fields. A value that reads as JSON (a number,
 * true/false, null, an object) is sent as such, anything else as a string: `avatar=3` sends 3.
 * `{uuid}` and `{index}` in a value are filled per session (offer-template.ts).
 */
export function parseOfferFieldFlags(values: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq <= 0) throw new Error(`Expected \`--offer-field\` as \`key=value\`, got \`${value}\`.`);
    const key = value.slice(0, eq);
    if (key === "sdp" || key === "type") throw new Error(`\`--offer-field\` cannot replace the offer's own \`${key}\`, got \`${value}\`.`);
    const raw = value.slice(eq + 1);
    try {
      fields[key] = raw.trim() === "" ? raw : JSON.parse(raw);
    } catch {
      fields[key] = raw;
    }
    checkOfferFieldTemplate(key, fields[key]);
  }
  return fields;
}
