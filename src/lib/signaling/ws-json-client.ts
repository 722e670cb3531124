import WebSocket from "ws";
import { parseSignalingMessage, type SessionDescription } from "./session-description.js";

/**
 * Sends an offer over WebSocket JSON signaling (the original design's protocol) and returns the answer.
 * The socket stays open until `close()`: the embedded target ends a session when its socket closes.
 */
export async function negotiateOverWebSocket(
  url: string,
  offer: SessionDescription,
  timeoutMs: number,
): Promise<{ answer: SessionDescription; close: () => void }> {
  const socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
  const close = (): void => {
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else socket.close();
  };
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      clearTimeout(timer);
      close();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new Error(`Target did not answer the offer within ${timeoutMs / 1000} s. Is it listening on ${url}? Try \`avsync serve\` to compare.`)),
      timeoutMs,
    );
    socket.on("open", () => socket.send(JSON.stringify(offer)));
    socket.on("message", (data) => {
      try {
        const answer = parseSignalingMessage(data.toString(), "answer");
        clearTimeout(timer);
        resolve({ answer, close });
      } catch (error) {
        fail(new Error(`Target at ${url} sent an unusable answer: ${(error as Error).message}`, { cause: error }));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const code = error.code ? ` (${error.code})` : "";
      fail(new Error(`Could not reach the target at ${url}${code}: ${error.message}. Is it running?`, { cause: error }));
    });
    socket.on("close", () => fail(new Error(`Target at ${url} closed the signaling connection before answering.`)));
  });
}
