import { execa } from "execa";

/** One end of a storm: a network namespace and the address avsync gave it on the veth pair. */
export interface NamespaceEnd {
  name: string;
  address: string;
}

/** Two namespaces joined only to each other, so a storm between them never touches the host's network. */
export interface NamespacePair {
  client: NamespaceEnd;
  server: NamespaceEnd;
}

// Every namespace avsync creates starts with this, so leftovers can be found and removed.
export const namespacePrefix = "avsync-";

// A /30 of our own; each pair is isolated, so every pair can reuse the same addresses.
const clientAddress = "10.213.0.1";
const serverAddress = "10.213.0.2";

let pairsCreated = 0;

async function ip(args: string[]): Promise<void> {
  await execa("ip", args);
}

/** Names a pair after the creating process, so a later run can tell leftovers of dead runs from live ones. */
export function nameNamespacePair(ownerPid = process.pid, sequence = pairsCreated): { client: string; server: string } {
  const base = `${namespacePrefix}${ownerPid}-${sequence}`;
  return { client: `${base}-client`, server: `${base}-server` };
}

/**
 * Creates the client and server namespaces with a veth pair that lives entirely inside them, under
 * `names` when given (so a reaper can be watching them before the first exists).
 */
export async function createNamespacePair(names = nameNamespacePair()): Promise<NamespacePair> {
  pairsCreated += 1;
  const pair: NamespacePair = {
    client: { name: names.client, address: clientAddress },
    server: { name: names.server, address: serverAddress },
  };
  try {
    await ip(["netns", "add", pair.client.name]);
    await ip(["netns", "add", pair.server.name]);
    await ip(["link", "add", "avs-c", "netns", pair.client.name, "type", "veth", "peer", "name", "avs-s", "netns", pair.server.name]);
    for (const [end, dev] of [[pair.client, "avs-c"], [pair.server, "avs-s"]] as const) {
      await ip(["-n", end.name, "addr", "add", `${end.address}/30`, "dev", dev]);
      await ip(["-n", end.name, "link", "set", dev, "up"]);
      await ip(["-n", end.name, "link", "set", "lo", "up"]);
    }
  } catch (error) {
    await removeNamespaces([pair.client.name, pair.server.name]);
    throw new Error(`Could not create the storm's network namespaces (${(error as Error).message.split("\n")[0]}). Run as root, or pass \`--topology loopback\`.`, { cause: error });
  }
  return pair;
}

/** Removes namespaces by name, ignoring ones already gone, so cleanup can run twice safely. */
export async function removeNamespaces(names: string[]): Promise<void> {
  for (const name of names) {
    await execa("ip", ["netns", "delete", name], { reject: false });
  }
}

/** Lists the namespaces avsync created that still exist. */
export async function listAvsyncNamespaces(): Promise<string[]> {
  const { stdout } = await execa("ip", ["netns", "list"], { reject: false });
  return stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name.startsWith(namespacePrefix));
}

function ownerIsAlive(name: string): boolean {
  const ownerPid = Number(name.slice(namespacePrefix.length).split("-")[0]);
  if (!Number.isInteger(ownerPid) || ownerPid <= 0) return false;
  try {
    process.kill(ownerPid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes leftover avsync namespaces; with `onlyOrphans`, spares those whose creating process still runs. */
export async function removeLeftoverNamespaces(options: { onlyOrphans: boolean }): Promise<string[]> {
  const leftovers = (await listAvsyncNamespaces()).filter((name) => !options.onlyOrphans || !ownerIsAlive(name));
  await removeNamespaces(leftovers);
  return leftovers;
}
