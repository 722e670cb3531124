import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { escapeXml as x } from "./escape.js";
import type { ReportOutput } from "./report-output.js";

/** junit.xml when gated: one test case per gate check, so any CI lists pass/fail per threshold. */
export const junitOutput: ReportOutput = {
  name: "junit",
  async write(input, folder) {
    const gate = input.gate;
    if (!gate) return [];
    const result = input.kind === "run" ? input.run.result : input.head.result;
    const command = result.meta.command;
    const failures = gate.checks.filter((c) => !c.pass).length;
    const cases = gate.checks
      .map((c) => {
        const open = `    <testcase classname="avsync.${x(command)}.${c.kind}" name="${x(c.name)}" time="0"`;
        return c.pass
          ? `${open}>\n      <system-out>${x(c.message)}</system-out>\n    </testcase>`
          : `${open}>\n      <failure type="gate" message="${x(c.message)}">${x(c.message)}</failure>\n    </testcase>`;
      })
      .join("\n");
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="avsync ${x(command)} gate" tests="${gate.checks.length}" failures="${failures}" errors="0" time="${(result.meta.durationS ?? 0).toFixed(3)}">
  <testsuite name="avsync ${x(command)} gate" tests="${gate.checks.length}" failures="${failures}" errors="0" skipped="0" timestamp="${x(result.meta.startedAt.replace(/Z$/, ""))}" hostname="${x(result.meta.hostname)}" time="${(result.meta.durationS ?? 0).toFixed(3)}">
${cases}
  </testsuite>
</testsuites>
`;
    const path = join(folder, "junit.xml");
    writeFileSync(path, xml);
    return [path];
  },
};
