export { negotiateOverWebSocket } from "./ws-json-client.js";
export { negotiateOverHttpOffer, negotiateOverWhxp, requestServerOffer } from "./http-signaling.js";
export { signalingFor, type SessionSignaling } from "./negotiate-target.js";
export { parseTargetUrl, type SignalingTarget } from "./target-url.js";
export {
  defaultSignalingOptions,
  parseHeaderFlags,
  parseOfferFieldFlags,
  parseOriginFlags,
  type NegotiatedSession,
  type ServerOffer,
  type SignalingOptions,
} from "./signaling-options.js";
export { parseSignalingMessage } from "./session-description.js";
export type { SessionDescription } from "./session-description.js";
export { maxSignalingBytes } from "./signaling-limits.js";
export { expandOfferFields, type OfferSession } from "./offer-template.js";
