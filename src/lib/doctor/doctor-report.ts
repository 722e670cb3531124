import { collectRunMetadata, type RunMetadata } from "../report/index.js";
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

const marks = { risk: "RISK", warn: "WARN", info: "info", ok: "ok  " } as const;

/** The doctor's findings for a terminal, worst first, each with its reason and the command that measures it. */
export function formatDoctorReport(report: DoctorReport): string {
  const order = ["risk", "warn", "info", "ok"];
  const findings = [...report.findings].sort((a, b) => order.indexOf(a.level) - order.indexOf(b.level));
  const { host } = report;
  const lines = [
    `avsync doctor — kernel ${host.kernel}${host.root ? "" : ", not root"}; TIME_WAIT now: ${host.sockstat?.tw ?? host.ssSummary?.timeWait ?? "unknown"}`,
    "",
    ...findings.flatMap((finding) => [
      `[${marks[finding.level]}] ${finding.title}`,
      `       ${finding.why}`,
      ...(finding.measure ? [`       measure: ${finding.measure}`] : []),
      ...(finding.docsUrl ? [`       docs: ${finding.docsUrl}`] : []),
    ]),
    ...(host.unreadable.length ? ["", "Could not read:", ...host.unreadable.map((entry) => `  ${entry.what}: ${entry.reason}`)] : []),
  ];
  return lines.join("\n");
}
