import type { IncomingMessage } from "node:http";

/**
 * Who may use the embedded target. It listens on loopback (or the one address `serve --host` names),
 * but a web page on any site can make the user's browser connect there: `Host` must name loopback or
 * that address (a DNS-rebinding page names its own host), and a WebSocket `Origin` must be the target's own page or one the user allowed. Tools
 * that are not browsers send no `Origin` and are let in.
 */
export interface ConnectionPolicy {
  /** The address the target listens on: loopback, or another that `serve --host` named. */
  host: string;
  port: number;
  /** Origins allowed besides the target's own page (`--allow-origin`). */
  allowedOrigins: readonly string[];
  /** WebSocket clients at once (`--max-sessions`). */
  maxSessions: number;
}

/** Why a request or WebSocket upgrade is turned away, as the HTTP status and a line for its body. */
export interface Refusal {
  status: 403 | 404 | 503;
  message: string;
}

const loopbackNames = ["127.0.0.1", "localhost"];

// The names a client may give this target in Host: loopback's, and the address it listens on when
// that is another (serve --host); an IPv6 address in brackets.
function names(host: string): string[] {
  const own = host.includes(":") ? `[${host}]` : host;
  return loopbackNames.includes(host) ? loopbackNames : [...loopbackNames, own];
}

// How a browser names this target in Host (and, after http://, in Origin): port 80 goes unwritten.
function hostNames(host: string, port: number): string[] {
  return names(host).flatMap((name) => (port === 80 ? [name, `${name}:80`] : [`${name}:${port}`]));
}

/** The origins of the target's own page, as a browser names them. */
export function ownOrigins(host: string, port: number): string[] {
  return hostNames(host, port).map((name) => `http://${name}`);
}

/** Checks a plain HTTP request (the viewer page): its Host must name this target. */
export function refuseRequest(req: Pick<IncomingMessage, "headers">, policy: ConnectionPolicy): Refusal | null {
  const host = req.headers.host;
  if (!host || !hostNames(policy.host, policy.port).includes(host)) {
    const allowed = names(policy.host).map((name) => `${name}:${policy.port}`);
    return { status: 403, message: `avsync serve answers only to Host ${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}.` };
  }
  return null;
}

/** Checks a WebSocket upgrade: path, Host, Origin, and room for one more session. */
export function refuseUpgrade(req: Pick<IncomingMessage, "headers" | "url">, policy: ConnectionPolicy & { path: string; sessions: number }): Refusal | null {
  if ((req.url ?? "/").split("?")[0] !== policy.path) return { status: 404, message: `avsync serve takes WebSocket signaling at ${policy.path} only.` };
  const wrongHost = refuseRequest(req, policy);
  if (wrongHost) return wrongHost;
  const origin = req.headers.origin;
  if (origin !== undefined && !ownOrigins(policy.host, policy.port).includes(origin) && !policy.allowedOrigins.includes(origin)) {
    return { status: 403, message: "avsync serve accepts WebSocket connections from its own page only; allow another origin with --allow-origin." };
  }
  if (policy.sessions >= policy.maxSessions) return { status: 503, message: `avsync serve holds ${policy.maxSessions} sessions already (--max-sessions).` };
  return null;
}
