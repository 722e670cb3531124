import type { ListenerOption, RestartTestResult } from "../restart/index.js";

const options = (set: ListenerOption[]): string => (set.length ? set.map((option) => option.replace("SO_", "")).join("+") : "none");

/** The restart table as Markdown, for the terminal and summary.md. */
export function formatRestartTable(result: RestartTestResult): string {
  const lines = [
    `# Listener restart with server-side TIME_WAIT (${result.connectionsPerCase} connections per case, ${result.topology} ${result.address})`,
    "",
    "| by | old listener | old options | new options | server TIME_WAIT on the port | bind | listen | kernel rule |",
    "|---|---|---|---|---|---|---|---|",
    ...result.rows.map((row) => `| ${row.implementation} | ${row.oldListening ? "still listening" : "closed"} | ${options(row.old)} | ${options(row.new)} | ${row.serverTimeWait} | ${row.bind} | ${row.listen ?? "–"} | ${row.expected} |`),
    "",
    result.mismatches === 0 ? "Every rebind matched the kernel's rule." : `${result.mismatches} rebinds did NOT match the kernel's rule.`,
    "SO_REUSEADDR helps only bind() of a restarted listener, only if the old sockets had it too, and never while another socket listens; it does nothing for connect(). SO_REUSEPORT needs it on old and new, and lets several live listeners share the port.",
    `Python rows: ${result.helper} (Node 20 cannot set SO_REUSEPORT); node rows: Node ${result.meta.nodeVersion}, which sets SO_REUSEADDR on every listener itself.`,
    ...result.warnings.map((warning) => `WARNING: ${warning}`),
  ];
  return lines.join("\n");
}
