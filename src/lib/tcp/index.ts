export { parseSockstat, readSockstat, sockstatPath, type SockstatTotals } from "./sockstat.js";
export { parseSsDuration, parseSsLine, splitEndpoint, type SsSocket } from "./ss-line.js";
export { parseNetstatLine } from "./netstat-line.js";
export { countTcpStatesBySide, mergeTcpStateCensus, type TcpStateCensus } from "./tcp-state-census.js";
export { sampleTcpStates, type TcpStateSample, type TcpStateSource } from "./tcp-state-sampler.js";
export { diffTcpCounters, parseProcCounters, readTcpCounters, reportedCounters } from "./tcp-counters.js";
