import { quoteSnippet as snippet, safeText } from "../text/index.js";
import { readJsonAnswer, readServerOffer, checkSdp, reportsFailure, serverRefusal, unusableAnswer } from "./answer-body.js";
import { kib, maxErrorBodyBytes, maxRedirects, maxSessionIdChars, maxSignalingBytes } from "./signaling-limits.js";
import type { NegotiatedSession, ServerOffer, SignalingOptions } from "./signaling-options.js";
import type { SessionDescription } from "./session-description.js";
import { addCandidates, candidateFragment, fragmentCandidates, offerCandidates, trickleContentType, withoutCandidates } from "./trickle-fragment.js";

/**
 * `POST /offer` with `{"sdp","type",…fields}` JSON, the convention of aiortc's examples and of
 * popular Python digital-human servers; the answer comes back as JSON. Such servers have no
 * standard way to end a session: it ends when the peer connection closes.
 */
export async function negotiateOverHttpOffer(url: string, offer: SessionDescription, options: SignalingOptions): Promise<NegotiatedSession> {
  const body = JSON.stringify({ ...options.offerFields, sdp: options.trickle ? withoutCandidates(offer.sdp) : offer.sdp, type: offer.type });
  const { response, text } = await withDeadline(options, async (signal) => {
    const { response } = await request(url, { method: "POST", headers: { "content-type": "application/json" }, body }, options, signal);
    return { response, text: await readBody(url, response, options, signal) };
  });
  if (!response.ok) throw statusError(url, response, text);
  let negotiated: ReturnType<typeof readJsonAnswer>;
  try {
    negotiated = readJsonAnswer(text, options);
  } catch (error) {
    throw unusableAnswer(url, error);
  }
  const { answer, sessionId } = negotiated;
  if (options.trickle) {
    if (sessionId === null) throw new Error(`Target at ${url} named no session in its answer (pc_id, …; or --session-id-field), which the trickled candidates must name.`);
    await patchJsonCandidates(url, { [options.sessionIdField ?? "pc_id"]: sessionId, candidates: offerCandidates(offer.sdp) }, options);
  }
  return { answer, sessionId, close: () => undefined };
}

/**
 * JSON trickle, Pipecat SmallWebRTC's way: `PATCH` the offer URL with `{pc_id, candidates:[{candidate,
 * sdp_mid, sdp_mline_index}]}` (the session's field named as --session-id-field says, else `pc_id`).
 * The server's own candidates came in its answer; its reply (`{"status":"success"}`) says only
 * whether it took them.
 */
async function patchJsonCandidates(url: string, payload: Record<string, unknown>, options: SignalingOptions): Promise<void> {
  const { response, text } = await withDeadline(options, async (signal) => {
    const { response } = await request(url, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(payload) }, options, signal);
    return { response, text: await readBody(url, response, options, signal) };
  });
  const refusal = response.ok ? answerReceipt(text) : `: HTTP ${response.status}${response.statusText ? ` ${snippet(response.statusText, 80)}` : ""}${snippet(text) ? `: ${snippet(text)}` : ""}`;
  if (refusal !== null) {
    const hint = response.status === 405 || response.status === 501 ? " Does it take trickled candidates? Without --trickle the offer carries them all." : "";
    throw new Error(`Target at ${url} refused the trickled candidates${refusal}.${hint}`);
  }
}

/**
 * The server makes the offer (D-ID Streams: `POST /talks/streams` → `{id, offer, ice_servers,
 * session_id}`, then the answer to `/talks/streams/{id}/sdp`): POSTs the offer fields as JSON to
 * `url`, reads the offer, and hands back a way to POST `{"answer":{type,sdp}, session_id}` to
 * `answerUrlTemplate` with `{session}` filled. The answer URL must be on the target's origin (with
 * the headers) or one `--allow-redirect` names (without them).
 */
export async function requestServerOffer(url: string, answerUrlTemplate: string, options: SignalingOptions): Promise<ServerOffer> {
  const { response, text } = await withDeadline(options, async (signal) => {
    const { response } = await request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(options.offerFields) }, options, signal);
    return { response, text: await readBody(url, response, options, signal) };
  });
  if (!response.ok) throw statusError(url, response, text);
  let body: ReturnType<typeof readServerOffer>;
  try {
    body = readServerOffer(text, options);
  } catch (error) {
    throw unusableAnswer(url, error, "offer");
  }
  if (answerUrlTemplate.includes("{session}") && body.sessionId === null) {
    throw new Error(`Target at ${url} named no session in its offer (id, session_id, …; or --session-id-field), so the answer URL \`${snippet(answerUrlTemplate, 200)}\` cannot be filled.`);
  }
  const answerUrl = parseLocation(
    answerUrlTemplate.replaceAll("{session}", encodeURIComponent(body.sessionId ?? "")),
    url,
    () => `The answer URL \`${snippet(answerUrlTemplate, 200)}\` with the session filled in is not a URL.`,
  );
  const credentials = credentialsFor(answerUrl, url, options);
  if (credentials === "refused") throw foreignOrigin(url, `would take the answer at ${snippet(answerUrl.href, 200)}`, answerUrl, options);
  const answerOptions = credentials === "with" ? options : { ...options, headers: {} };
  return {
    offer: body.offer,
    iceServers: body.iceServers,
    sessionId: body.sessionId,
    close: () => undefined,
    async answer(answer) {
      const target = answerUrl.href;
      const { response, text } = await withDeadline(answerOptions, async (signal) => {
        const payload = JSON.stringify({ answer, ...body.echo });
        const { response } = await request(target, { method: "POST", headers: { "content-type": "application/json" }, body: payload }, answerOptions, signal);
        return { response, text: await readBody(target, response, answerOptions, signal) };
      });
      if (!response.ok) throw statusError(target, response, text);
      const refusal = answerReceipt(text);
      if (refusal) throw new Error(`Target at ${target} refused the answer${refusal}.`);
    },
  };
}

// The reply to a posted answer: a failure in a JSON body (`{"code":-1,"msg":…}`) as " (code -1): msg";
// anything else (`{"status":"success"}`, an empty body) is taken as accepted.
function answerReceipt(text: string): string | null {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof message !== "object" || message === null || Array.isArray(message)) return null;
  const body = message as Record<string, unknown>;
  return reportsFailure(body) ? serverRefusal(body) : null;
}

/**
 * WHEP (subscribe) and WHIP (publish, RFC 9725 §4.2): `POST application/sdp` → `201 Created`, the
 * session's resource in `Location`, the answer in the body; `DELETE` on that resource ends it.
 * The DELETE carries the headers only when the resource is on the target's own origin.
 */
export async function negotiateOverWhxp(
  url: string,
  offer: SessionDescription,
  options: SignalingOptions,
  protocol: "WHEP" | "WHIP",
): Promise<NegotiatedSession> {
  const body = options.trickle ? withoutCandidates(offer.sdp) : offer.sdp;
  const { reached, text } = await withDeadline(options, async (signal) => {
    const reached = await request(url, { method: "POST", headers: { "content-type": "application/sdp", accept: "application/sdp" }, body }, options, signal);
    return { reached, text: await readBody(url, reached.response, options, signal) };
  });
  const { response } = reached;
  if (!response.ok) throw statusError(url, response, text);
  let sdp: string;
  try {
    sdp = checkSdp(text);
  } catch (error) {
    throw new Error(`${protocol} endpoint ${url} sent an unusable answer: ${(error as Error).message}.`, { cause: error });
  }
  const location = response.headers.get("location");
  let resource: URL | null = null;
  if (location) {
    resource = parseLocation(location, reached.url, () => `${protocol} endpoint ${url} named its session resource \`${snippet(location)}\`, which is not a URL.`);
    if (credentialsFor(resource, url, options) === "refused") {
      throw foreignOrigin(url, `named its session resource at ${snippet(resource.href, 200)}, where avsync would send its DELETE`, resource, options);
    }
  }
  const headers = resource && reached.credentials && credentialsFor(resource, url, options) === "with" ? options.headers : {};
  const close = (): void => {
    if (!resource) return;
    // Ending the session is a courtesy to the server; a server already gone must not fail the run.
    void fetch(resource, { method: "DELETE", headers, redirect: "manual", signal: AbortSignal.timeout(2000) }).then(
      (r) => r.body?.cancel(),
      () => undefined,
    );
  };
  if (options.trickle) {
    if (!resource) throw new Error(`${protocol} endpoint ${url} named no session resource (Location), where avsync would PATCH its trickled candidates.`);
    try {
      sdp = addCandidates(sdp, await patchCandidates(resource, response.headers.get("etag"), candidateFragment(offer.sdp), headers, options, protocol));
    } catch (error) {
      close();
      throw error;
    }
  }
  return { answer: { type: "answer", sdp }, sessionId: resource ? safeText(resource.href, maxSessionIdChars) : null, close };
}

/**
 * Sends the client's candidates to the session resource (RFC 9725 §4.3.1: `PATCH`, an
 * `application/trickle-ice-sdpfrag` body, `If-Match` with the resource's ETag when it gave one) and
 * returns the server's candidates if its answer carried a fragment of its own (200), none for 204.
 */
async function patchCandidates(resource: URL, etag: string | null, fragment: string, headers: Record<string, string>, options: SignalingOptions, protocol: "WHEP" | "WHIP"): Promise<string[]> {
  const where = snippet(resource.href, 200);
  const { response, text } = await withDeadline(options, async (signal) => {
    let response: Response;
    try {
      response = await fetch(resource, {
        method: "PATCH",
        headers: { ...headers, "content-type": trickleContentType, ...(etag ? { "if-match": etag } : {}) },
        body: fragment,
        redirect: "manual",
        signal,
      });
    } catch (error) {
      throw transportError(resource.href, error, options);
    }
    return { response, text: await readBody(resource.href, response, options, signal) };
  });
  if (!response.ok) {
    const status = response.statusText ? ` ${snippet(response.statusText, 80)}` : "";
    const said = snippet(text);
    const hint = response.status === 405 || response.status === 501 ? " Does it take trickled candidates? Without --trickle the offer carries them all." : "";
    throw new Error(`${protocol} endpoint ${where} refused the trickled candidates: HTTP ${response.status}${status}${said ? `: ${said}` : ""}.${hint}`);
  }
  return response.status === 200 && (response.headers.get("content-type") ?? "").startsWith(trickleContentType) ? fragmentCandidates(text) : [];
}

// One deadline for the whole exchange (every redirect and the body), ended early by Ctrl-C. Its own
// timer, held until the exchange ends: Node 20 may collect an AbortSignal.timeout that only an
// AbortSignal.any refers to before it fires (nodejs/node#57736), and a silent target then held a
// bench with --signaling-timeout 1.5 for 30 s, until the test killed it.
async function withDeadline<T>(options: SignalingOptions, exchange: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${options.timeoutMs} ms`, "TimeoutError")), options.timeoutMs);
  const interrupt = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) interrupt();
  options.signal?.addEventListener("abort", interrupt, { once: true });
  try {
    return await exchange(controller.signal);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", interrupt);
  }
}

// Headers go to the target's own origin only; an origin the user allowed is reached without them.
function credentialsFor(next: URL, targetUrl: string, options: SignalingOptions): "with" | "without" | "refused" {
  if (next.origin === new URL(targetUrl).origin) return "with";
  return options.allowedOrigins.includes(next.origin) ? "without" : "refused";
}

function parseLocation(location: string, base: string, describe: () => string): URL {
  try {
    return new URL(location, base);
  } catch (error) {
    throw new Error(describe(), { cause: error });
  }
}

function foreignOrigin(url: string, what: string, next: URL, options: SignalingOptions): Error {
  const origin = new URL(url).origin;
  const hint = next.protocol === "http:" || next.protocol === "https:" ? ` To go there without them, add --allow-redirect ${next.origin}.` : "";
  const carried = Object.keys(options.headers).length ? "its --header values" : "headers";
  return new Error(`Target at ${url} ${what}: another origin than ${origin}, and avsync sends ${carried} only to the target's own origin.${hint}`);
}

/**
 * Sends one request, following 307/308 redirects (the ones that keep the method and body) itself:
 * on the target's origin with its headers, to an allowed origin without them, anywhere else not at all.
 */
async function request(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
  options: SignalingOptions,
  signal: AbortSignal,
): Promise<{ response: Response; url: string; credentials: boolean }> {
  let current = url;
  let credentials = true;
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetch(current, { ...init, headers: { ...init.headers, ...(credentials ? options.headers : {}) }, redirect: "manual", signal });
    } catch (error) {
      throw transportError(url, error, options);
    }
    const location = response.headers.get("location");
    if ((response.status !== 307 && response.status !== 308) || !location) return { response, url: current, credentials };
    await response.body?.cancel().catch(() => undefined);
    const next = parseLocation(location, current, () => `Target at ${url} redirected the offer to \`${snippet(location)}\`, which is not a URL.`);
    if (hop === maxRedirects) throw new Error(`Target at ${url} redirected the offer more than ${maxRedirects} times (last to ${snippet(next.href, 200)}).`);
    const allowed = credentialsFor(next, url, options);
    if (allowed === "refused") throw foreignOrigin(url, `redirected the offer to ${snippet(next.href, 200)}`, next, options);
    if (allowed === "without") credentials = false;
    current = next.href;
  }
}

/**
 * Reads a response body, but never more than avsync will use: an answer beyond maxSignalingBytes
 * fails, an error body is cut to its start (only that is quoted).
 */
async function readBody(url: string, response: Response, options: SignalingOptions, signal: AbortSignal): Promise<string> {
  const limit = response.ok ? maxSignalingBytes : maxErrorBodyBytes;
  const tooLarge = (start = ""): Error =>
    new Error(`Target at ${url} sent an answer larger than ${kib(maxSignalingBytes)}${start ? `, starting \`${snippet(start)}\`` : ""}; an SDP answer is a few kB.`);
  const declared = Number(response.headers.get("content-length"));
  if (response.ok && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    for await (const chunk of response.body ?? []) {
      chunks.push(chunk);
      bytes += chunk.byteLength;
      if (bytes > limit) break;
    }
  } catch (error) {
    throw transportError(url, signal.aborted ? signal.reason : error, options);
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
  if (bytes > limit && response.ok) throw tooLarge(text);
  return text;
}

function transportError(url: string, error: unknown, options: SignalingOptions): Error {
  const name = (error as Error).name;
  if (options.signal?.aborted) return new Error(`Interrupted while waiting for the answer from ${url}.`, { cause: error });
  if (name === "TimeoutError" || name === "AbortError") {
    return new Error(`Target did not answer the offer within ${options.timeoutMs / 1000} s. Is it listening on ${url}?`, { cause: error });
  }
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
  const code = cause?.code ? ` (${snippet(cause.code, 40)})` : "";
  const detail = snippet(cause?.message ?? (error as Error).message, 200);
  return new Error(`Could not reach the target at ${url}${code}: ${detail}. Is it running?`, { cause: error });
}

function statusError(url: string, response: Response, text: string): Error {
  const hint = response.status === 404 ? " Is the path right?" : response.status === 401 || response.status === 403 ? " Does it need a token (--header)?" : "";
  const location = response.status >= 300 && response.status < 400 ? response.headers.get("location") : null;
  const moved = location ? ` to ${snippet(location, 200)} (avsync re-sends an offer only on 307/308)` : "";
  const body = snippet(text);
  const status = response.statusText ? ` ${snippet(response.statusText, 80)}` : "";
  return new Error(`Target at ${url} answered HTTP ${response.status}${status}${moved}${body ? `: ${body}` : ""}.${hint}`);
}
