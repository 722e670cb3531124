import { execa } from "execa";
import {
  createNamespacePair,
  nameNamespacePair,
  removeNamespaces,
  setNamespaceSysctl,
  startNamespaceReaper,
  type NamespacePair,
  type SysctlAssignment,
} from "../netns/index.js";

/** Where the storm runs: two namespaces of avsync's own, or the host's loopback. */
export interface StormTopology {
  kind: "netns" | "loopback";
  clientNamespace?: string;
  serverNamespace?: string;
  serverAddress: string;
  warnings: string[];
  teardown(): Promise<void>;
}

// Said loudly whenever a storm runs on loopback: it is the measurement that looks healthy and is not.
export const loopbackWarning =
  "Running on loopback: the default tcp_tw_reuse=2 reuses loopback TIME_WAIT after 1 s, so ports never run out here and the storm looks healthier than it would between two hosts. Run as root (namespace topology) to see real exhaustion.";

async function mayCreateNamespaces(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  const probe = await execa("ip", ["netns", "list"], { reject: false });
  return probe.exitCode === 0;
}

async function applySysctls(pair: NamespacePair, sysctls: SysctlAssignment[]): Promise<void> {
  for (const { side, key, value } of sysctls) {
    if (side !== "server") await setNamespaceSysctl(pair.client.name, key, value);
    if (side !== "client") await setNamespaceSysctl(pair.server.name, key, value);
  }
}

/** Builds the storm's topology: a namespace pair when allowed (required for `netns`), else loopback with its warning. */
export async function prepareStormTopology(options: { topology: "auto" | "netns" | "loopback"; sysctls: SysctlAssignment[] }): Promise<StormTopology> {
  const allowed = options.topology !== "loopback" && (await mayCreateNamespaces());
  if (!allowed) {
    if (options.topology === "netns") throw new Error("`--topology netns` needs root and `ip netns`; run as root, or pass `--topology loopback`.");
    if (options.sysctls.length > 0) throw new Error("`--sysctl` needs the namespace topology (root): avsync never changes the host's sysctls.");
    return { kind: "loopback", serverAddress: "127.0.0.1", warnings: [loopbackWarning], teardown: async () => {} };
  }
  // The reaper watches the names before the first namespace exists: a SIGKILL while the pair is being
  // built (eight `ip` calls, over a second with the cores busy) would otherwise leave it behind.
  const named = nameNamespacePair();
  const names = [named.client, named.server];
  const reaper = startNamespaceReaper(names);
  let pair;
  try {
    pair = await createNamespacePair(named);
  } catch (error) {
    reaper.release();
    throw error;
  }
  const teardown = async (): Promise<void> => {
    await removeNamespaces(names);
    reaper.release();
  };
  try {
    await applySysctls(pair, options.sysctls);
  } catch (error) {
    await teardown();
    throw error;
  }
  return { kind: "netns", clientNamespace: pair.client.name, serverNamespace: pair.server.name, serverAddress: pair.server.address, warnings: [], teardown };
}
