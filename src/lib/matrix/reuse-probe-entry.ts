import { connect, createServer, type Server } from "node:net";

// Runs inside a namespace: `listen` is the far end (it answers a FIN with its own, so the prober holds TIME_WAIT);
// `probe` runs with a one-port ip_local_port_range: it closes a connection, then connects again until the kernel
// hands out that port once more. (Not bind() to the port: for a bound port the kernel reuses TIME_WAIT whenever
// timestamps allow, whatever tcp_tw_reuse says.)
type ProbeRequest =
  | { type: "listen"; host: string; port: number }
  | { type: "probe"; host: string; port: number; rounds: number; retryEveryMs: number; giveUpMs: number };

/** How soon the only local port, in TIME_WAIT, was connected again. */
export interface PortReuseSample {
  reusedAfterMs: number | null;
  attempts: number;
  errors: Record<string, number>;
}

const send = (message: object): void => {
  if (process.connected) process.send!(message);
};
let server: Server | undefined;
process.on("disconnect", () => process.exit(0));

function connectOnce(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once("error", (error: Error & { code?: string }) => resolve(error.code ?? "EOTHER"));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Each round starts right after the previous connection closed, so its port is freshly in TIME_WAIT.
async function probeRound(request: Extract<ProbeRequest, { type: "probe" }>): Promise<PortReuseSample> {
  const sample: PortReuseSample = { reusedAfterMs: null, attempts: 0, errors: {} };
  const closedMs = performance.now();
  while (performance.now() - closedMs < request.giveUpMs) {
    await sleep(request.retryEveryMs);
    sample.attempts += 1;
    const errno = await connectOnce(request.host, request.port);
    if (!errno) {
      sample.reusedAfterMs = performance.now() - closedMs;
      break;
    }
    sample.errors[errno] = (sample.errors[errno] ?? 0) + 1;
  }
  return sample;
}

process.on("message", (request: ProbeRequest) => {
  if (request.type === "listen") {
    server = createServer((socket) => socket.on("error", () => {}));
    server.once("error", (error) => send({ type: "failed", message: error.message }));
    server.listen({ host: request.host, port: request.port }, () => send({ type: "listening" }));
  } else {
    void (async () => {
      const first = await connectOnce(request.host, request.port);
      if (first) return send({ type: "failed", message: `the first connection failed with ${first}` });
      const samples: PortReuseSample[] = [];
      while (samples.length < request.rounds && samples.at(-1)?.reusedAfterMs !== null) samples.push(await probeRound(request));
      send({ type: "probed", samples });
    })();
  }
});

send({ type: "ready" });
