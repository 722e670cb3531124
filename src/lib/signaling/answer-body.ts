import { quoteSnippet as snippet, safeText } from "../text/index.js";
import { maxQuotedChars, maxSessionIdChars } from "./signaling-limits.js";
import type { NegotiatedSession, SignalingOptions } from "./signaling-options.js";

/** The server answered, but with an error of its own (an HTTP-200 `{"code":-1,"msg":…}` body): its message is the news. */
export class SignalingRefusal extends Error {}

/**
 * Reads a JSON answer as digital-human servers send it: `{"type":"answer","sdp",…,"sessionid"}`.
 * Many report failure as HTTP 200 with `{"code":-1,"msg":…}` or `{"error":…}`: that becomes an
 * error quoting the start of the server's message, never a confusing "no SDP".
 */
export function readJsonAnswer(raw: string, options: Pick<SignalingOptions, "sessionIdField" | "offerFields">): { answer: NegotiatedSession["answer"]; sessionId: string | null } {
  const message = parseJsonObject(raw, "answer");
  const refusal = serverRefusal(message);
  if (typeof message.sdp !== "string" && refusal !== null) throw new SignalingRefusal(`refused the offer${refusal}`);
  if (message.type !== undefined && message.type !== "answer") throw new Error(`expected a message of type "answer", got type \`${snippet(String(message.type), 40)}\``);
  return { answer: { type: "answer", sdp: checkSdp(message.sdp) }, sessionId: readSessionId(message, options) };
}

function parseJsonObject(raw: string, what: "answer" | "offer"): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new Error(`expected a JSON ${what}, got \`${snippet(raw)}\``);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error(`expected a JSON object, got \`${snippet(raw)}\``);
  return body as Record<string, unknown>;
}

/**
 * What a server said when its HTTP-200 body reports a failure (`{"code":-1,"msg":…}`, `{"error":…}`,
 * or just a message), as " (code -1): its message"; null when the body says nothing of the kind.
 */
export function serverRefusal(message: Record<string, unknown>): string | null {
  const serverMessage = message.msg ?? message.message ?? message.error ?? message.detail;
  if (!reportsFailure(message) && serverMessage === undefined) return null;
  const code = "code" in message ? ` (code ${snippet(JSON.stringify(message.code) ?? "null", 40)})` : "";
  const said = typeof serverMessage === "string" ? serverMessage : (JSON.stringify(serverMessage ?? null) ?? "null");
  return `${code}: ${snippet(said, maxQuotedChars)}`;
}

/** Whether a JSON body says it failed: a `code` other than 0/200, or an `error`. */
export function reportsFailure(message: Record<string, unknown>): boolean {
  return ("code" in message && message.code !== 0 && message.code !== 200 && message.code !== "0") || (message.error !== undefined && message.error !== null && message.error !== false);
}

/** An SDP answer must at least start like one; anything else (an HTML error page, JSON) is quoted back. */
export function checkSdp(sdp: unknown): string {
  if (typeof sdp !== "string" || !sdp.startsWith("v=0")) throw new Error(`expected an SDP answer starting with "v=0", got \`${snippet(String(sdp))}\``);
  return sdp;
}

// Servers name the session in their answer under many keys (LiveTalking `sessionid`, Pipecat `pc_id`,
// fastrtc none: the viewer named it in its offer as `webrtc_id`).
const answerIdFields = ["sessionid", "session_id", "sessionId", "pc_id", "webrtc_id", "id"];
const offerIdFields = ["webrtc_id", "pc_id"];

function readSessionId(message: Record<string, unknown>, options: Pick<SignalingOptions, "sessionIdField" | "offerFields">, keys = answerIdFields): string | null {
  const field = options.sessionIdField;
  const candidates: unknown[] = field !== undefined
    ? [message[field], options.offerFields[field]]
    : [...keys.map((key) => message[key]), ...offerIdFields.map((key) => options.offerFields[key])];
  const value = candidates.find((v) => typeof v === "string" || typeof v === "number");
  return value === undefined ? null : safeText(String(value), maxSessionIdChars);
}

/** What a server that makes the offer itself sends (D-ID Streams' shape), read from its JSON. */
export interface ServerOfferBody {
  offer: { type: "offer"; sdp: string };
  /** STUN/TURN servers it asks the viewer to use, one URL each. */
  iceServers: { urls: string; username?: string; credential?: string }[];
  sessionId: string | null;
  /** Fields the answer must carry back (D-ID wants its `session_id`). */
  echo: Record<string, unknown>;
}

/**
 * Reads a server-made offer: `{"offer":{"type":"offer","sdp"}, "ice_servers":[…], "id", "session_id"}`
 * (D-ID Streams), or the offer at the top level (`{"type":"offer","sdp",…}`). A refusal in an
 * HTTP-200 body is the server's own message, as for answers.
 */
export function readServerOffer(raw: string, options: Pick<SignalingOptions, "sessionIdField" | "offerFields">): ServerOfferBody {
  const message = parseJsonObject(raw, "offer");
  const nested = typeof message.offer === "object" && message.offer !== null ? (message.offer as Record<string, unknown>) : null;
  const offer = nested ?? message;
  const refusal = serverRefusal(message);
  if (typeof offer.sdp !== "string" && refusal !== null) throw new SignalingRefusal(`refused to start a session${refusal}`);
  if (offer.type !== "offer") throw new Error(`expected an offer (\`{"offer":{"type":"offer","sdp":…}}\` or \`{"type":"offer","sdp":…}\`), got \`${snippet(raw)}\``);
  if (typeof offer.sdp !== "string" || !offer.sdp.startsWith("v=0")) throw new Error(`expected an SDP offer starting with "v=0", got \`${snippet(String(offer.sdp))}\``);
  return {
    offer: { type: "offer", sdp: offer.sdp },
    iceServers: readIceServers(message.ice_servers ?? message.iceServers),
    // D-ID names the stream `id` (its URLs' path) beside a `session_id` the answer carries back.
    sessionId: readSessionId(message, options, ["id", ...answerIdFields]),
    echo: message.session_id !== undefined ? { session_id: message.session_id } : {},
  };
}

// RTCIceServer entries, `urls` a string or a list: one entry per URL, anything else refused.
function readIceServers(value: unknown): ServerOfferBody["iceServers"] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`expected ice_servers to be a list, got \`${snippet(JSON.stringify(value) ?? "")}\``);
  return value.flatMap((entry: unknown) => {
    const server = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
    const urls = Array.isArray(server.urls) ? server.urls : [server.urls ?? server.url];
    if (!urls.every((url): url is string => typeof url === "string" && /^(stun|turns?):/.test(url))) {
      throw new Error(`expected each of ice_servers to name stun:/turn: URLs, got \`${snippet(JSON.stringify(entry) ?? "")}\``);
    }
    const credentials = {
      ...(typeof server.username === "string" ? { username: server.username } : {}),
      ...(typeof server.credential === "string" ? { credential: server.credential } : {}),
    };
    return urls.map((url) => ({ urls: url, ...credentials }));
  });
}

/** One sentence naming the URL and what was wrong with its answer, or the server's own message when it refused. */
export function unusableAnswer(url: string, error: unknown, what: "answer" | "offer" = "answer"): Error {
  const detail = (error as Error).message;
  if (error instanceof SignalingRefusal) return new Error(`Target at ${url} ${detail}.`, { cause: error });
  return new Error(`Target at ${url} sent an unusable ${what}: ${detail}.`, { cause: error });
}
