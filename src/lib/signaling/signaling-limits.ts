/**
 * The most avsync reads of one signaling answer, body or WebSocket message. SDP answers are a few
 * kB (a browser's with candidates ≈ 3–6 kB); 256 KiB leaves room for thousands of candidate lines
 * and keeps a hostile or broken server from filling memory.
 */
export const maxSignalingBytes = 256 * 1024;

/** How much of an error response's body is read: enough to quote its start. */
export const maxErrorBodyBytes = 4 * 1024;

/** Redirects (307/308, same origin or allowed) followed before giving up. */
export const maxRedirects = 5;

/** The longest session id or resource URL kept from a target. */
export const maxSessionIdChars = 256;

/** How much of a server's own message (a refusal, a close reason) an error quotes. */
export const maxQuotedChars = 200;

/** Size in KiB for messages. */
export const kib = (bytes: number): string => `${bytes / 1024} KiB`;
