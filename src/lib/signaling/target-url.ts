/** How avsync talks to a server: which signaling flavour, at which URL (the flavour prefix removed). */
export interface SignalingTarget {
  /** `ws-json`: WebSocket JSON; `http-offer`: POST {sdp,type} JSON; `whep`/`whip`: RFC 9725-style POST application/sdp. */
  kind: "ws-json" | "http-offer" | "whep" | "whip";
  url: string;
}

const schemes: Record<string, SignalingTarget["kind"]> = {
  "ws:": "ws-json",
  "wss:": "ws-json",
  "http:": "http-offer",
  "https:": "http-offer",
  "whep+http:": "whep",
  "whep+https:": "whep",
  "whip+http:": "whip",
  "whip+https:": "whip",
};

/**
 * Reads a `--target` / `--push` URL: the scheme names the signaling (ws:// WebSocket JSON, http://
 * POST /offer JSON, whep+http:// WHEP, whip+http:// WHIP). Quotes the value back when it is none of them.
 */
export function parseTargetUrl(text: string, flagName: string): SignalingTarget {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new Error(`Expected \`--${flagName}\` to be a URL such as ws://host:port/ws, http://host:port/offer or whep+http://host:port/whep, got \`${text}\`.`);
  }
  const kind = schemes[parsed.protocol];
  if (!kind) {
    throw new Error(
      `Expected \`--${flagName}\` to start with ws://, wss://, http://, https://, whep+http(s):// or whip+http(s)://, got \`${text}\`.`,
    );
  }
  const url = kind === "whep" || kind === "whip" ? text.replace(/^wh[ei]p\+/i, "") : text;
  return { kind, url };
}
