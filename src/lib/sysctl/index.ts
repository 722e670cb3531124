export { findSysctlFact, kernelHasSysctl, sysctlCatalog, sysctlProcPath, type SysctlFact } from "./sysctl-catalog.js";
export { readSysctls, type SysctlReading } from "./host-sysctls.js";
