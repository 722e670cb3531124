// test: unit
// serve --host: one IP address, loopback or not; a name or a wildcard is quoted back.
import { strict as assert } from "node:assert";
import { test } from "node:test";
import { parseHostFlag } from "../../../src/lib/cli/parse-values.js";
import { isLoopbackHost } from "../../../src/lib/rtc/index.js";

test("--host takes one IP address, and serve tells whether it is loopback", () => {
  const read = (value: string) => ({ host: parseHostFlag(value), loopback: isLoopbackHost(parseHostFlag(value)) });
  assert.deepEqual(read("127.0.0.1"), { host: "127.0.0.1", loopback: true });
  assert.deepEqual(read("127.0.0.5"), { host: "127.0.0.5", loopback: true });
  assert.deepEqual(read("[::1]"), { host: "::1", loopback: true });
  assert.deepEqual(read("10.213.0.2"), { host: "10.213.0.2", loopback: false });
  for (const value of ["0.0.0.0", "::", "localhost", "example.org", ""]) {
    assert.throws(() => parseHostFlag(value), { message: `Expected \`--host\` to be one IP address of this machine, such as 127.0.0.1 or 10.213.0.2, got \`${value}\`.` });
  }
});
