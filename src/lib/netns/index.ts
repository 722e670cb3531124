export {
  createNamespacePair,
  listAvsyncNamespaces,
  nameNamespacePair,
  namespacePrefix,
  removeLeftoverNamespaces,
  removeNamespaces,
  type NamespaceEnd,
  type NamespacePair,
} from "./namespace-pair.js";
export {
  namespacedSysctls,
  parseSysctlAssignment,
  readNamespaceSysctls,
  reportedSysctls,
  setNamespaceSysctl,
  type SysctlAssignment,
} from "./namespace-sysctl.js";
export { startNamespaceReaper, type NamespaceReaper } from "./namespace-reaper.js";
export { spawnWorkerInNamespace, type NamespaceWorker } from "./namespace-worker.js";
