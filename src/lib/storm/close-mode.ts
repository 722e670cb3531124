// The side that sends the first FIN holds TIME_WAIT, so each mode decides who closes first and how.
export const closeModes = ["client-close", "server-close", "client-terminate", "server-terminate", "rfc6455"] as const;

/** Who ends each cycle and how: a WebSocket close handshake, an abrupt `terminate()`, or RFC 6455 §7.1.1 order. */
export type CloseMode = (typeof closeModes)[number];

/** Which side the mode predicts will hold TIME_WAIT (`race` for ws's `close()`, measured ≈3:1 server:client). */
export function expectedTimeWaitHolder(mode: CloseMode): "client" | "server" | "race" {
  switch (mode) {
    case "client-terminate":
      return "client";
    case "server-terminate":
    case "rfc6455":
      return "server";
    case "client-close":
    case "server-close":
      return "race";
  }
}

/** True when the embedded server has to act for the mode, so it cannot run against a user's own target. */
export function closeModeNeedsEmbeddedServer(mode: CloseMode): boolean {
  return mode === "server-close" || mode === "server-terminate";
}

/** True when, over HTTP, the server is the closer: it answers `Connection: close` (rfc6455 means the server closes first). */
export function httpServerCloses(mode: CloseMode): boolean {
  return mode === "server-close" || mode === "server-terminate" || mode === "rfc6455";
}
