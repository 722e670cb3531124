export {
  createLoopbackPeer,
  createPeer,
  iceForHost,
  loopbackIce,
  isLoopbackHost,
  isLoopbackUrl,
  selectedCandidatePair,
  waitConnected,
  loopbackAddress,
  videoCodecNameOf,
  type IceConfig,
  type IceServer,
  type IcePath,
} from "./peer.js";
export { videoCodecNames, type VideoCodecName } from "../media/index.js";
export { senderOutput } from "./sender-output.js";
export { raiseThreadPriority } from "./thread-priority.js";
export { enlargeReceiveBuffers, readSocketDrops } from "./socket-buffers.js";
