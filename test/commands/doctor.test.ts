import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { DoctorReport } from "../../src/lib/doctor/index.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const isRoot = process.getuid?.() === 0;
const hasStrace = ["/usr/bin/strace", "/bin/strace"].some((path) => existsSync(path));
const bin = fileURLToPath(new URL("../../bin/run.js", import.meta.url));

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 60_000, env: { ...process.env, FORCE_COLOR: "0" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

// Every open of /proc/sys (or sysctl call) the doctor made, from an strace log; it may only ever read.
function procSysWrites(traceLog: string): string[] {
  return traceLog.split("\n").filter((line) => /\/proc\/sys\//.test(line) && /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC/.test(line));
}

test("doctor --json: the host's kernel, sysctls and findings, with the measuring commands", async () => {
  const { code, stdout, stderr } = await runCli(["doctor", "--json"]);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as DoctorReport;
  assert.equal(report.schema, "avsync/doctor-report");
  assert.equal(report.host.sysctls["net.ipv4.tcp_fin_timeout"], readFileSync("/proc/sys/net/ipv4/tcp_fin_timeout", "utf8").trim());
  assert.equal(report.host.root, isRoot);
  assert.ok(report.host.sockstat !== null && report.host.counters !== null);
  assert.ok(report.findings.some((finding) => finding.measure?.startsWith("avsync tw-storm")));
});

test("doctor prints its findings for a person on stderr, keeping stdout clean", async () => {
  const { code, stdout, stderr } = await runCli(["doctor"]);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "");
  assert.match(stderr, /^avsync doctor — kernel /);
  assert.match(stderr, /measure: avsync tw-storm /);
});

test("as root, doctor never opens /proc/sys for writing", { skip: (!isRoot && "needs root for strace of a child") || (!hasStrace && "needs strace") }, async () => {
  const trace = join(tempDir("avsync-doctor-"), "trace.log");
  const { code, stderr } = await run("strace", ["-f", "-qq", "-e", "trace=open,openat,openat2,creat,truncate", "-o", trace, process.execPath, bin, "doctor", "--json"]);
  assert.equal(code, 0, stderr);
  const log = readFileSync(trace, "utf8");
  assert.match(log, /\/proc\/sys\/net\/ipv4\/tcp_tw_reuse", O_RDONLY/);
  assert.deepEqual(procSysWrites(log), []);
  assert.doesNotMatch(log, /sysctl.*-w/);
});

test("as nobody, doctor works, says it is not root, and never writes", { skip: (!isRoot && "needs root to become nobody") || (!hasStrace && "needs strace") }, async () => {
  const trace = join(tempDir("avsync-doctor-"), "trace.log");
  // strace runs as root and drops the traced command to nobody (uid/gid 65534, no groups).
  const { code, stdout, stderr } = await run("strace", ["-f", "-qq", "-e", "trace=open,openat,openat2,creat,truncate", "-o", trace, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, bin, "doctor", "--json"]);
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout) as DoctorReport;
  assert.equal(report.host.root, false);
  assert.ok(report.findings.some((finding) => finding.id === "not_root"));
  assert.ok(report.host.sysctls["net.ipv4.tcp_tw_reuse"] !== null, JSON.stringify(report.host.unreadable));
  assert.deepEqual(procSysWrites(readFileSync(trace, "utf8")), []);
});
