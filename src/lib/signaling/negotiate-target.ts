import { negotiateOverHttpOffer, negotiateOverWhxp, requestServerOffer } from "./http-signaling.js";
import type { NegotiatedSession, ServerOffer, SignalingOptions } from "./signaling-options.js";
import type { SessionDescription } from "./session-description.js";
import type { SignalingTarget } from "./target-url.js";
import { negotiateOverWebSocket } from "./ws-json-client.js";

/** How one probe session reaches its target: it offers and the target answers, or (`answerUrl`) the other way round. */
export type SessionSignaling = { negotiate: (offer: SessionDescription) => Promise<NegotiatedSession> } | { serverOffer: () => Promise<ServerOffer> };

/** One function per target, whatever its signaling: hand it an offer, get the answer and a way to hang up; or ask the server for its offer. */
export function signalingFor(target: SignalingTarget, options: SignalingOptions): SessionSignaling {
  switch (target.kind) {
    case "ws-json":
      return { negotiate: (offer) => negotiateOverWebSocket(target.url, offer, options) };
    case "http-offer":
      if (options.answerUrl !== undefined) {
        const answerUrl = options.answerUrl;
        return { serverOffer: () => requestServerOffer(target.url, answerUrl, options) };
      }
      return { negotiate: (offer) => negotiateOverHttpOffer(target.url, offer, options) };
    case "whep":
      return { negotiate: (offer) => negotiateOverWhxp(target.url, offer, options, "WHEP") };
    case "whip":
      return { negotiate: (offer) => negotiateOverWhxp(target.url, offer, options, "WHIP") };
  }
}
