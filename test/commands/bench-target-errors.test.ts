// A target that cannot be measured gets one clear line naming the URL and what the server said,
// exit code 2, and a partial result.json — for each way signaling fails.
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runCli } from "../helpers/cli.js";

let server: Server;
let base = "";
const hanging = new Set<import("node:http").ServerResponse>();

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    switch (req.url) {
      case "/not-sdp":
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ type: "answer", sdp: "<html>oops</html>" }));
        break;
      case "/error-body":
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ code: -1, msg: "avatar 7 is not loaded" }));
        break;
      case "/whep-html":
        res.writeHead(201, { "content-type": "text/html", location: "/whep/1" }).end("<html>login</html>");
        break;
      case "/silent":
        hanging.add(res);
        break;
      default:
        res.writeHead(404, { "content-type": "text/plain" }).end("no such endpoint");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(() => {
  for (const res of hanging) res.destroy();
  server.close();
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createTcpServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function expectOneLineFailure(target: string, message: RegExp, extra: string[] = []): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), "avsync-target-"));
  try {
    const result = await runCli(["bench", "--target", target, "--duration", "2", "--signaling-timeout", "1.5", "--json", "--out", out, ...extra], 30_000);
    assert.equal(result.code, 2, result.stderr);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `one line: ${result.stderr}`);
    assert.match(lines[0]!, message);
    assert.ok(lines[0]!.includes(target.replace(/^whep\+/, "")), `names the URL: ${lines[0]}`);
    assert.match(lines[0]!, /partial result in .*result\.json/);
    const written = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    assert.equal(written.complete, false);
    assert.equal(written.probe, null);
    assert.equal(written.sessions[0].error, written.incompleteReason);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe("avsync bench --target: signaling failures are one clear line, exit 2, partial result", () => {
  test("unreachable", async () => {
    await expectOneLineFailure(`http://127.0.0.1:${await freePort()}/offer`, /Could not reach the target at http:\/\/127\.0\.0\.1:\d+\/offer \(ECONNREFUSED\)/);
  });
  test("404", async () => {
    await expectOneLineFailure(`http://${base}/offer`, /answered HTTP 404 Not Found: no such endpoint\. Is the path right\?/);
  });
  test("an answer that is not SDP", async () => {
    await expectOneLineFailure(`http://${base}/not-sdp`, /sent an unusable answer: expected an SDP answer starting with "v=0", got `<html>oops<\/html>`/);
  });
  test("a WHEP answer that is not SDP", async () => {
    await expectOneLineFailure(`whep+http://${base}/whep-html`, /WHEP endpoint .* sent an unusable answer: .*got `<html>login<\/html>`/);
  });
  test("an HTTP-200 error body", async () => {
    await expectOneLineFailure(`http://${base}/error-body`, /refused the offer \(code -1\): avatar 7 is not loaded/);
  });
  test("a server that never answers", async () => {
    await expectOneLineFailure(`http://${base}/silent`, /did not answer the offer within 1\.5 s/);
  });
  test("a WebSocket server that is not there", async () => {
    await expectOneLineFailure(`ws://127.0.0.1:${await freePort()}/ws`, /Could not reach the target at ws:\/\/127\.0\.0\.1:\d+\/ws \(ECONNREFUSED\)/);
  });
});

describe("avsync bench target flags reject bad input", () => {
  test("--target ftp://x", async () => {
    const result = await runCli(["bench", "--target", "ftp://x"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Expected `--target` to start with ws:\/\/, .* got `ftp:\/\/x`/);
  });
  test("--push without a WHEP target", async () => {
    const result = await runCli(["bench", "--target", "http://127.0.0.1:1/offer", "--push", "http://127.0.0.1:1/whip"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Expected `--target` to be a WHEP endpoint/);
  });
  test("--offer-field without =", async () => {
    const result = await runCli(["bench", "--target", "http://127.0.0.1:1/offer", "--offer-field", "avatar"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Expected `--offer-field` as `key=value`, got `avatar`/);
  });
});
