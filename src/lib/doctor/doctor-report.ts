import { collectRunMetadata, type RunMetadata } from "../run/index.js";
import { diagnoseHost, type DoctorFinding } from "./doctor-findings.js";
import { readHostSnapshot, type HostSnapshot } from "./host-snapshot.js";

/** What `avsync doctor` found, as --json prints it and result.json holds it. */
export interface DoctorReport {
  schema: "avsync/doctor-report";
  schemaVersion: 1;
  meta: RunMetadata;
  host: HostSnapshot;
  findings: DoctorFinding[];
}

/** Reads the host (never writing to it) and judges what matters for a real-time signaling server. */
export async function runDoctor(flags: Record<string, unknown> = {}): Promise<DoctorReport> {
  const meta = collectRunMetadata("doctor", flags);
  const startedPerf = performance.now();
  const host = await readHostSnapshot();
  return { schema: "avsync/doctor-report", schemaVersion: 1, meta: { ...meta, durationS: (performance.now() - startedPerf) / 1000 }, host, findings: diagnoseHost(host) };
}
