import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

// Debian's interpreter: the `python3` first on PATH here is a separate build that does not see
// Debian's python3-aiortc (NOTES.md).
const python = "/usr/bin/python3";
const fixture = (path: string): string => fileURLToPath(new URL(`../../fixtures/${path}`, import.meta.url));

/** Why the aiortc interop tests cannot run here, or null when they can: they skip with this reason. */
export function aiortcMissing(): string | null {
  const probe = spawnSync(python, ["-c", "import aiortc, aiohttp, numpy, av"], { encoding: "utf8", timeout: 20_000 });
  if (probe.error) return `${python} is not available (${(probe.error as NodeJS.ErrnoException).code}); install Debian's python3-aiortc python3-aiohttp python3-numpy (scripts/setup.sh --test)`;
  if (probe.status !== 0) return `${python} lacks aiortc/aiohttp/numpy (${probe.stderr.trim().split("\n").at(-1)}); install python3-aiortc python3-aiohttp python3-numpy (scripts/setup.sh --test)`;
  return null;
}

/** Why the GStreamer sender (fixtures/gstreamer/webrtc_sender.py) cannot run here, or null: tests skip with this reason. */
export function gstreamerMissing(): string | null {
  const elements = ["webrtcbin", "ivfparse", "h264parse", "opusenc", "rtph264pay", "rtpvp8pay", "rtpopuspay", "nicesrc", "qtdemux"];
  const probe = spawnSync(
    python,
    ["-c", `import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstWebRTC', '1.0'); from gi.repository import Gst; Gst.init(None); missing = [e for e in ${JSON.stringify(elements)} if not Gst.ElementFactory.find(e)]; assert not missing, missing`],
    { encoding: "utf8", timeout: 20_000 },
  );
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? String(probe.error) : probe.stderr.trim().split("\n").at(-1);
    return `GStreamer's webrtcbin sender cannot run (${why}); install gstreamer1.0-plugins-bad -good -base gstreamer1.0-nice python3-gst-1.0 (scripts/setup.sh --test)`;
  }
  return null;
}

/** A running Python fixture server (on 127.0.0.1 unless started with a host); `stop()` ends its whole process group. */
export interface AiortcServer {
  port: number;
  base: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts fixtures/aiortc/sync_server.py with the given flags and waits for its `{"port":N}` line;
 * `netns` and `host` run it inside a namespace, listening and offering its candidate on that address.
 */
export function startAiortcServer(args: string[] = [], where: { netns?: string; host?: string } = {}): Promise<AiortcServer> {
  return startFixtureServer("aiortc/sync_server.py", where.host ? [...args, "--host", where.host] : args, where);
}

/**
 * Starts a fixture script under fixtures/ with Debian's Python and waits for its `{"port":N}` line. As
 * root it runs at nice −10 like avsync's own pusher thread: aiortc stamps its Sender Reports and paces
 * its frames with the wall clock, so a starved sender misreports itself (−93.4 ms read for −100 with
 * the cores shared), and the test would measure the machine instead of the probe. `nice` sets another
 * value (0 runs it unchanged).
 */
export async function startFixtureServer(path: string, args: string[] = [], options: { nice?: number; netns?: string; host?: string } = {}): Promise<AiortcServer> {
  const nice = options.nice ?? -10;
  const niced = process.getuid?.() === 0 && nice !== 0 ? ["nice", "-n", String(nice), python] : [python];
  // `ip netns exec` enters the namespace and execs the command: the PID (and its group) stay the server's.
  const [command, ...prefix] = options.netns ? ["ip", "netns", "exec", options.netns, ...niced] : niced;
  const child: ChildProcess = spawn(command!, [...prefix, fixture(path), ...args], { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d.toString()));
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 3000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${path} did not start within 15 s: ${stderr}`)), 15_000);
      child.stdout!.once("data", (data) => {
        clearTimeout(timer);
        resolve((JSON.parse(data.toString()) as { port: number }).port);
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${path} exited (${code}) before listening: ${stderr}`));
      });
    });
    const host = options.host ?? "127.0.0.1";
    return { port, base: `${host.includes(":") ? `[${host}]` : host}:${port}`, pid: child.pid!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
