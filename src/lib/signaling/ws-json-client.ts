import WebSocket from "ws";
import { quoteSnippet as snippet } from "../text/index.js";
import { readJsonAnswer, unusableAnswer } from "./answer-body.js";
import { kib, maxSignalingBytes } from "./signaling-limits.js";
import { defaultSignalingOptions, type NegotiatedSession, type SignalingOptions } from "./signaling-options.js";
import type { SessionDescription } from "./session-description.js";

/**
 * Sends an offer over WebSocket JSON signaling (the original design's protocol) and returns the answer.
 * The socket stays open until `close()`: the embedded target ends a session when its socket closes.
 * Messages of other types before the answer (candidates, greetings) are skipped. Redirects are not
 * followed (the headers stay with the target), and no message may exceed maxSignalingBytes.
 */
export async function negotiateOverWebSocket(
  url: string,
  offer: SessionDescription,
  timeoutOrOptions: number | SignalingOptions,
): Promise<NegotiatedSession> {
  const options = typeof timeoutOrOptions === "number" ? { ...defaultSignalingOptions, timeoutMs: timeoutOrOptions } : timeoutOrOptions;
  const { timeoutMs, signal } = options;
  const socket = new WebSocket(url, { handshakeTimeout: timeoutMs, headers: options.headers, maxPayload: maxSignalingBytes, followRedirects: false });
  let closing = false;
  const close = (): void => {
    closing = true;
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close();
  };
  // The socket lives as long as the session: the server closing it (or dying) is news, our own close() is not.
  const dropped = new Promise<string>((resolve) =>
    socket.once("close", (code, reason) => {
      if (!closing) resolve(`the target closed the signaling connection (code ${code}${reason.length ? `: ${snippet(reason.toString())}` : ""})`);
    }),
  );
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (): void => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settle();
      // A socket we give up on is dropped at once: a stalled target must not hold the run.
      socket.terminate();
      reject(error);
    };
    const onAbort = (): void => fail(new Error(`Interrupted while waiting for the answer from ${url}.`));
    const timer = setTimeout(
      () => fail(new Error(`Target did not answer the offer within ${timeoutMs / 1000} s. Is it listening on ${url}? Try \`avsync serve\` to compare.`)),
      timeoutMs,
    );
    socket.on("open", () => socket.send(JSON.stringify({ ...options.offerFields, ...offer })));
    socket.on("message", (data) => {
      if (settled) return;
      const raw = data.toString();
      if (isOtherMessage(raw)) return;
      try {
        const { answer, sessionId } = readJsonAnswer(raw, options);
        settle();
        resolve({ answer, sessionId, close, dropped });
      } catch (error) {
        fail(unusableAnswer(url, error));
      }
    });
    socket.on("unexpected-response", (_request, response) => {
      const status = response.statusMessage ? ` ${snippet(response.statusMessage)}` : "";
      const location = response.headers.location ? ` to ${snippet(String(response.headers.location), 200)} (avsync does not follow redirects: its headers stay with the target)` : "";
      response.destroy();
      fail(new Error(`Target at ${url} answered the WebSocket handshake with HTTP ${response.statusCode}${status}${location}.${response.statusCode === 404 ? " Is the path right?" : ""}`));
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        return fail(new Error(`Target at ${url} sent a signaling message larger than ${kib(maxSignalingBytes)}; an SDP answer is a few kB.`, { cause: error }));
      }
      if (error.code?.startsWith("WS_ERR_")) return fail(new Error(`Target at ${url} broke the WebSocket protocol: ${snippet(error.message, 200)}.`, { cause: error }));
      const code = error.code ? ` (${snippet(error.code, 40)})` : "";
      fail(new Error(`Could not reach the target at ${url}${code}: ${snippet(error.message, 200)}. Is it running?`, { cause: error }));
    });
    socket.on("close", (code, reason) => {
      const said = reason.length ? `: ${snippet(reason.toString())}` : "";
      fail(new Error(`Target at ${url} closed the signaling connection before answering (code ${code}${said}).`));
    });
    // Last, so the socket's own error and close events, which terminating it causes, have their listeners.
    if (signal?.aborted) onAbort();
    else signal?.addEventListener("abort", onAbort, { once: true });
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
