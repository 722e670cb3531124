import type { DoctorReport } from "../doctor/index.js";

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
