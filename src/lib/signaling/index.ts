export { negotiateOverWebSocket } from "./ws-json-client.js";
export { parseSignalingMessage } from "./session-description.js";
export type { SessionDescription } from "./session-description.js";
