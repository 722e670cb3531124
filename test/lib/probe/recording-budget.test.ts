// The recording budget (issue 16, item 5): what a run's recordings cost, and the one line that refuses a run that would not fit.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { estimateRecording, externalRate, patternRate, recordingOverBudget } from "../../../src/lib/probe/index.js";

const machine = { memoryBytes: 8e9, freeDiskBytes: 50e9, spillDirectory: "/var/tmp" };

describe("recording budget", () => {
  it("estimates memory from packets and disk from payload bytes", () => {
    // 10 sessions × 600 s = 6,000 session-seconds: 480,000 packets of 45 bytes, 36 MB of payloads.
    assert.deepEqual(estimateRecording(10, 600, patternRate), { sessionMinutes: 100, memoryBytes: 6000 * 80 * 45, diskBytes: 6000 * 6000 });
    assert.deepEqual(estimateRecording(1, 60, { packetsPerS: 100, payloadBytesPerS: 1000 }), { sessionMinutes: 1, memoryBytes: 270_000, diskBytes: 60_000 });
  });

  it("lets 100 sessions × 1 h of the embedded target through on 8 GB", () => {
    // 1.3 GB of records (a quarter of 8 GB is 2 GB) and 2.2 GB spilled.
    assert.equal(recordingOverBudget(100, 3600, patternRate, machine), null);
    assert.equal(recordingOverBudget(10, 600, externalRate, machine), null);
  });

  it("refuses a run whose packet records would take over a quarter of the memory, in one line that says what to change", () => {
    const line = recordingOverBudget(200, 3600, patternRate, machine)!;
    assert.match(line, /^200 sessions × 3600 s would keep about 2\.6 GB of packet records in memory \(80 packets and 0\.05 Mbit\/s a session\), more than a quarter of this machine's 8\.0 GB; lower --sessions or --duration\.$/);
    assert.doesNotMatch(line, /\n/);
  });

  it("refuses a run whose payloads would fill the disk they spill to", () => {
    // 60 × 3600 s of a 2.56 Mbit/s stream: 69 GB on a disk with 50 GB free (memory: 3.0 GB of 16).
    const line = recordingOverBudget(60, 3600, externalRate, { ...machine, memoryBytes: 16e9 })!;
    assert.match(line, /would spill about 69 GB of payloads to \/var\/tmp \(310 packets and 2\.6 Mbit\/s a session\), which has 50 GB free; lower --sessions or --duration, or point TMPDIR at a larger disk\.$/);
  });
});
