import { readJsonAnswer, checkSdp, snippet, unusableAnswer } from "./answer-body.js";
import type { NegotiatedSession, SignalingOptions } from "./signaling-options.js";
import type { SessionDescription } from "./session-description.js";

/**
 * `POST /offer` with `{"sdp","type",…fields}` JSON, the convention of aiortc's examples and of
 * popular Python digital-human servers; the answer comes back as JSON. Such servers have no
 * standard way to end a session: it ends when the peer connection closes.
 */
export async function negotiateOverHttpOffer(url: string, offer: SessionDescription, options: SignalingOptions): Promise<NegotiatedSession> {
  const body = JSON.stringify({ ...options.offerFields, sdp: offer.sdp, type: offer.type });
  const response = await request(url, { method: "POST", headers: { "content-type": "application/json", ...options.headers }, body }, options.timeoutMs);
  const text = await readBody(url, response, options.timeoutMs);
  if (!response.ok) throw statusError(url, response, text);
  try {
    const { answer, sessionId } = readJsonAnswer(text);
    return { answer, sessionId, close: () => undefined };
  } catch (error) {
    throw unusableAnswer(url, error);
  }
}

/**
 * WHEP (subscribe) and WHIP (publish, RFC 9725 §4.2): `POST application/sdp` → `201 Created`, the
 * session's resource in `Location`, the answer in the body; `DELETE` on that resource ends it.
 */
export async function negotiateOverWhxp(
  url: string,
  offer: SessionDescription,
  options: SignalingOptions,
  protocol: "WHEP" | "WHIP",
): Promise<NegotiatedSession> {
  const response = await request(
    url,
    { method: "POST", headers: { "content-type": "application/sdp", accept: "application/sdp", ...options.headers }, body: offer.sdp },
    options.timeoutMs,
  );
  const text = await readBody(url, response, options.timeoutMs);
  if (!response.ok) throw statusError(url, response, text);
  let sdp: string;
  try {
    sdp = checkSdp(text);
  } catch (error) {
    throw new Error(`${protocol} endpoint ${url} sent an unusable answer: ${(error as Error).message}.`, { cause: error });
  }
  const location = response.headers.get("location");
  const resource = location ? new URL(location, url).href : null;
  const close = (): void => {
    if (!resource) return;
    // Ending the session is a courtesy to the server; a server already gone must not fail the run.
    void fetch(resource, { method: "DELETE", headers: options.headers, signal: AbortSignal.timeout(2000) }).then(
      (r) => r.body?.cancel(),
      () => undefined,
    );
  };
  return { answer: { type: "answer", sdp }, sessionId: resource, close };
}

async function request(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: "follow", signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw transportError(url, error, timeoutMs);
  }
}

async function readBody(url: string, response: Response, timeoutMs: number): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw transportError(url, error, timeoutMs);
  }
}

function transportError(url: string, error: unknown, timeoutMs: number): Error {
  const name = (error as Error).name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new Error(`Target did not answer the offer within ${timeoutMs / 1000} s. Is it listening on ${url}?`, { cause: error });
  }
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  const code = cause?.code ? ` (${cause.code})` : "";
  const detail = cause?.message ?? (error as Error).message;
  return new Error(`Could not reach the target at ${url}${code}: ${detail}. Is it running?`, { cause: error });
}

function statusError(url: string, response: Response, text: string): Error {
  const hint = response.status === 404 ? " Is the path right?" : response.status === 401 || response.status === 403 ? " Does it need a token (--header)?" : "";
  const body = snippet(text);
  return new Error(`Target at ${url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}${body ? `: ${body}` : ""}.${hint}`);
}
