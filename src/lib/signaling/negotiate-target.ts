import { negotiateOverHttpOffer, negotiateOverWhxp } from "./http-signaling.js";
import type { NegotiatedSession, SignalingOptions } from "./signaling-options.js";
import type { SessionDescription } from "./session-description.js";
import type { SignalingTarget } from "./target-url.js";
import { negotiateOverWebSocket } from "./ws-json-client.js";

/** One function per target, whatever its signaling: hand it an offer, get the answer and a way to hang up. */
export function negotiatorFor(target: SignalingTarget, options: SignalingOptions): (offer: SessionDescription) => Promise<NegotiatedSession> {
  switch (target.kind) {
    case "ws-json":
      return (offer) => negotiateOverWebSocket(target.url, offer, options);
    case "http-offer":
      return (offer) => negotiateOverHttpOffer(target.url, offer, options);
    case "whep":
      return (offer) => negotiateOverWhxp(target.url, offer, options, "WHEP");
    case "whip":
      return (offer) => negotiateOverWhxp(target.url, offer, options, "WHIP");
  }
}
