import { readFileSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Server } from "node:net";

// The same restart done by Node itself (libuv sets SO_REUSEADDR on every listener; Node 20 has no reusePort), run
// inside the test's namespace: the server ends every connection first, so TIME_WAIT is the server's.
let host = "127.0.0.1";
let connections = 20;

function serverTimeWait(port: number): number {
  return readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1).filter((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[3] === "06" && parseInt(fields[1]?.split(":")[1] ?? "", 16) === port;
  }).length;
}

function listen(server: Server, port: number): Promise<string> {
  return new Promise((resolve) => {
    server.once("error", (error: Error & { code?: string }) => resolve(error.code ?? "EOTHER"));
    server.listen({ host, port }, () => resolve("ok"));
  });
}

async function leaveServerTimeWait(port: number): Promise<void> {
  for (let index = 0; index < connections; index += 1) {
    await new Promise<void>((resolve) => {
      const client = connect({ host, port });
      client.on("end", () => client.end());
      client.on("close", () => resolve());
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}

async function restart(oldListening: boolean): Promise<object> {
  const old = createServer((socket) => socket.end());
  await listen(old, 0);
  const port = (old.address() as AddressInfo).port;
  await leaveServerTimeWait(port);
  const tw = serverTimeWait(port);
  if (!oldListening) await new Promise((resolve) => old.close(resolve));
  const replacement = createServer();
  const outcome = await listen(replacement, port);
  if (outcome === "ok") await new Promise((resolve) => replacement.close(resolve));
  if (oldListening) await new Promise((resolve) => old.close(resolve));
  return { port, serverTimeWait: tw, bind: outcome === "ok" ? "ok" : outcome, listen: outcome === "ok" ? "ok" : null };
}

process.on("disconnect", () => process.exit(0));
process.on("message", (request: { type: "run"; host: string; connections: number }) => {
  host = request.host;
  connections = request.connections;
  void (async () => {
    const rows = [await restart(false), await restart(true)];
    process.send?.({ type: "rows", rows });
  })();
});
process.send?.({ type: "ready" });
