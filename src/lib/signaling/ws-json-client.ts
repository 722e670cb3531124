import WebSocket from "ws";
import { readJsonAnswer, unusableAnswer } from "./answer-body.js";
import { defaultSignalingOptions, type NegotiatedSession, type SignalingOptions } from "./signaling-options.js";
import type { SessionDescription } from "./session-description.js";

/**
 * Sends an offer over WebSocket JSON signaling (the original design's protocol) and returns the answer.
 * The socket stays open until `close()`: the embedded target ends a session when its socket closes.
 * Messages of other types before the answer (candidates, greetings) are skipped.
 */
export async function negotiateOverWebSocket(
  url: string,
  offer: SessionDescription,
  timeoutOrOptions: number | SignalingOptions,
): Promise<NegotiatedSession> {
  const options = typeof timeoutOrOptions === "number" ? { ...defaultSignalingOptions, timeoutMs: timeoutOrOptions } : timeoutOrOptions;
  const { timeoutMs } = options;
  const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, headers: options.headers });
  const close = (): void => {
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close();
  };
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      close();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`Target did not answer the offer within ${timeoutMs / 1000} s. Is it listening on ${url}? Try \`avsync serve\` to compare.`)),
      timeoutMs,
    );
    socket.on("open", () => socket.send(JSON.stringify({ ...options.offerFields, ...offer })));
    socket.on("message", (data) => {
      const raw = data.toString();
      if (isOtherMessage(raw)) return;
      try {
        const { answer, sessionId } = readJsonAnswer(raw);
        settled = true;
        clearTimeout(timer);
        resolve({ answer, sessionId, close });
      } catch (error) {
        fail(unusableAnswer(url, error));
      }
    });
    socket.on("unexpected-response", (_request, response) => {
      fail(new Error(`Target at ${url} answered the WebSocket handshake with HTTP ${response.statusCode}${response.statusMessage ? ` ${response.statusMessage}` : ""}.${response.statusCode === 404 ? " Is the path right?" : ""}`));
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ? ` (${error.code})` : "";
      fail(new Error(`Could not reach the target at ${url}${code}: ${error.message}. Is it running?`, { cause: error }));
    });
    socket.on("close", (code, reason) => {
      const said = reason.length ? `: ${reason.toString()}` : "";
      fail(new Error(`Target at ${url} closed the signaling connection before answering (code ${code}${said}).`));
    });
  });
}

// A JSON message with a type other than "answer" and no error in it is not the reply to our offer.
function isOtherMessage(raw: string): boolean {
  try {
    const message = JSON.parse(raw) as Record<string, unknown>;
    return (
      typeof message === "object" && message !== null && typeof message.type === "string" && message.type !== "answer" &&
      !("code" in message) && !("error" in message) && message.sdp === undefined
    );
  } catch {
    return false;
  }
}
