// Bad input gets one clear line that quotes the value, exit code 2, and no stack trace.
import { strict as assert } from "node:assert";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { runCli } from "../helpers/cli.js";

function assertOneLineError(result: { code: number; stderr: string }, quoted: RegExp): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, quoted);
  assert.doesNotMatch(result.stderr, /\n\s+at .+\(.+:\d+:\d+\)/, "no stack trace");
  assert.equal(result.stderr.trim().split("\n").length, 1, `one line: ${result.stderr}`);
}

describe("avsync bench rejects bad input clearly", () => {
  test("--duration abc", async () => {
    assertOneLineError(await runCli(["bench", "--duration", "abc"]), /Expected `--duration` to be a number of seconds .* got `abc`/);
  });
  test("--content-offset-ms 12x", async () => {
    assertOneLineError(await runCli(["bench", "--content-offset-ms", "12x"]), /Expected `--content-offset-ms` to be a number, got `12x`/);
  });
  test("--drop-video-frames 3,a", async () => {
    assertOneLineError(await runCli(["bench", "--drop-video-frames", "3,a"]), /got `3,a`/);
  });
  test("--fps 7", async () => {
    assertOneLineError(await runCli(["bench", "--fps", "7"]), /divide the 90 kHz RTP clock evenly .* got `7`/);
  });
  test("--ice-server stun.example.org (no scheme)", async () => {
    assertOneLineError(await runCli(["bench", "--target", "http://10.213.0.2:9/offer", "--ice-server", "stun.example.org"]), /Expected `--ice-server` as stun:host:port.*got `stun.example.org`/);
  });
  test("--ice-transport relay without a TURN server", async () => {
    assertOneLineError(await runCli(["bench", "--target", "http://10.213.0.2:9/offer", "--ice-transport", "relay"]), /`--ice-transport relay` needs a TURN server/);
  });
  test("--pusher fast", async () => {
    assertOneLineError(await runCli(["bench", "--pusher", "fast"]), /^Error: Expected --pusher=fast to be one of: paced, seed/m);
  });
});

describe("avsync serve", () => {
  test("a port in use is named, with a way out", async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as { port: number }).port)));
    try {
      assertOneLineError(await runCli(["serve", "--port", String(port)]), new RegExp(`Could not listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)\\. Pick another with --port`));
    } finally {
      blocker.close();
    }
  });
});
