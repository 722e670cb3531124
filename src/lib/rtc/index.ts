export { createLoopbackPeer, waitConnected, loopbackAddress, videoCodecNames, videoCodecNameOf, type VideoCodecName } from "./loopback-peer.js";
export { senderOutput } from "./sender-output.js";
export { raiseThreadPriority } from "./thread-priority.js";
export { enlargeReceiveBuffers, readSocketDrops } from "./socket-buffers.js";
