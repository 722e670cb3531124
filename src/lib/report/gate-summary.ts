import { maxTerminalLineChars, safeText } from "../text/index.js";
import type { GateReport } from "../gate/index.js";

/** The gate's verdict for the terminal (stderr): every check on one line, failures first. */
export function renderGateSummary(gate: GateReport): string {
  const failed = gate.checks.filter((c) => !c.pass);
  const lines = [`Gate: ${gate.pass ? "PASS" : "FAIL"}, ${gate.checks.length - failed.length} of ${gate.checks.length} checks passed`];
  for (const c of [...failed, ...gate.checks.filter((c) => c.pass)]) lines.push(`  ${c.pass ? "pass" : "FAIL"}  ${safeText(c.name, maxTerminalLineChars)} — ${safeText(c.message, maxTerminalLineChars)}`);
  return lines.join("\n");
}

/** The one-line error a command exits with when its gate failed. */
export function gateFailureMessage(gate: GateReport, folder: string): string {
  const failed = gate.checks.filter((c) => !c.pass);
  return `Gate failed: ${failed.map((c) => c.message.replace(/\.$/, "")).join("; ")} (see ${folder}/junit.xml).`;
}
