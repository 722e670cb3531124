export { createLoopbackPeer, waitConnected, loopbackAddress, videoCodecNameOf } from "./loopback-peer.js";
export { videoCodecNames, type VideoCodecName } from "../media/index.js";
export { senderOutput } from "./sender-output.js";
export { raiseThreadPriority } from "./thread-priority.js";
export { enlargeReceiveBuffers, readSocketDrops } from "./socket-buffers.js";
