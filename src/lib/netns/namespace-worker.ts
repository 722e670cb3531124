import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

/** A Node worker process running inside a namespace, spoken to over Node's IPC channel in `Request`s. */
export interface NamespaceWorker<Request = unknown> {
  pid: number;
  child: ChildProcess;
  send(message: Request): void;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

// A process cannot switch its own namespace, so `ip netns exec` starts Node already inside it; from source
// (an entry ending in .ts) the tsx loader comes along, from dist/ plain Node runs the .js file.
function nodeArgs(entryUrl: string): string[] {
  const entry = fileURLToPath(entryUrl);
  if (!entry.endsWith(".ts")) return [entry];
  return ["--import", pathToFileURL(require.resolve("tsx")).href, entry];
}

/** Starts a worker entry in `namespace` (or on the host when undefined) and waits until it reports ready. */
export async function spawnWorkerInNamespace<Request = unknown, Reply = unknown>(
  namespace: string | undefined,
  entryUrl: string,
  onMessage: (message: Reply) => void,
): Promise<NamespaceWorker<Request>> {
  const args = [...nodeArgs(entryUrl)];
  const child = namespace
    ? spawn("ip", ["netns", "exec", namespace, process.execPath, ...args], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
    : spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onEarlyExit = (code: number | null) => reject(new Error(`Storm worker exited before it was ready (exit ${code}) in ${namespace ?? "the host namespace"}.`));
    child.once("exit", onEarlyExit);
    child.once("error", reject);
    child.on("message", (message: Reply) => {
      if ((message as { type?: string }).type === "ready") {
        child.off("exit", onEarlyExit);
        resolve();
      }
      onMessage(message);
    });
  });
  return {
    pid: child.pid!,
    child,
    send(message) {
      if (child.connected) child.send(message as object);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
