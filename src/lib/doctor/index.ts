export { diagnoseHost, type DoctorFinding } from "./doctor-findings.js";
export { runDoctor, type DoctorReport } from "./doctor-report.js";
export { parseSsSummary, readHostSnapshot, type HostSnapshot } from "./host-snapshot.js";
