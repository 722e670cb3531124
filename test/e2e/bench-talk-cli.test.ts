// test: system, group media
// `bench --talk` from the command line (issue 14) against a talking head it did not start: the text
// driver (LiveTalking's /human) and the audio driver (/humanaudio, a multipart WAV) both make it
// speak, the summary and --json tell the same, and a driver request the target refuses, fails or
// never answers ends the run with one line naming the URL, exit 2 and a partial result.
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { BenchResult } from "../../src/lib/bench/index.js";
import { startTalkingHead, type TalkingHead } from "../../src/lib/target/index.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/temp-dir.js";

const utterances = ["Hello there, how are you today?", "Thank you."];
const halfFrameMs = 1000 / 30 / 2;

describe("bench --talk from the command line", () => {
  let head: TalkingHead;
  let refuser: Server;
  let base: string;
  before(async () => {
    head = await startTalkingHead({ lipOffsetMs: 40, responseDelayMs: 200, utterances });
    // 500 on /fail; /hang never answers.
    refuser = createServer((req, res) => {
      if (req.url === "/fail") res.writeHead(500, { "content-type": "text/plain" }).end("model crashed\n");
    });
    await new Promise<void>((resolve) => refuser.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(refuser.address() as AddressInfo).port}`;
  });
  after(async () => {
    refuser.closeAllConnections();
    await new Promise((resolve) => refuser.close(resolve));
    await head.close();
  });

  test("the text and the audio driver both make an external head speak; the summary and --json tell the same", async () => {
    for (const [flags, url] of [[[], head.humanUrl], [["--talk-audio", "--json"], head.humanAudioUrl]] as const) {
      const out = tempDir("avsync-talk-");
      const run = await runCli(["bench", "--talk", "--target", head.offerUrl, "--talk-url", url, ...flags, ...utterances.flatMap((u) => ["--utterance", u]), "--out", out], 120_000);
      assert.equal(run.code, 0, run.stderr);
      const saved = JSON.parse(readFileSync(`${out}/result.json`, "utf8")) as BenchResult;
      const m = saved.talk!.measurements!;
      assert.equal(saved.talk!.driver.kind, flags.length ? "audio" : "text");
      assert.equal(m.utterances.length, 2);
      // An uploaded file is encoded when it arrives, so its answer starts later: the offset must not care.
      assert.ok(Math.abs(m.lipOffsetMs.p50! - 40) <= halfFrameMs, `median ${m.lipOffsetMs.p50} ms, injected 40 ms`);
      if (flags.length) {
        assert.deepEqual((JSON.parse(run.stdout) as BenchResult).talk, saved.talk);
      } else {
        assert.match(run.stderr, /Talking head \(markerless; 2 utterances sent to http:\/\/127\.0\.0\.1:\d+\/human\)/);
        assert.match(run.stderr, /2\. lips [-\d.]+ ms, confidence [01]\.\d\d; answer \d+ ms, mouth \d+ ms {2}"Thank you\."/);
        assert.match(run.stderr, /Verdict \(ITU-R BT\.1359 detectability -125…\+45 ms, per utterance\): PASS/);
      }
    }
  });

  test("--talk-microphone speaks in-band to the reference head, which answers what it heard; lips and latency as its ledger says", async () => {
    const out = tempDir("avsync-talk-mic-");
    const run = await runCli(["bench", "--talk", "--talk-microphone", "--lip-offset-ms", "-80", ...utterances.flatMap((u) => ["--utterance", u]), "--out", out], 120_000);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Talking head \(markerless; 2 utterances spoken on the probe's microphone to http:\/\/127\.0\.0\.1:\d+\/offer\)/);
    const talk = (JSON.parse(readFileSync(`${out}/result.json`, "utf8")) as BenchResult).talk!;
    const m = talk.measurements!;
    assert.equal(talk.driver.kind, "microphone");
    assert.ok(Math.abs(m.lipOffsetMs.p50! + 80) <= halfFrameMs, `median ${m.lipOffsetMs.p50} ms, injected -80 ms`);
    // The head heard each utterance and said it back: one reply each, dated in its own ledger.
    assert.equal(talk.head!.replies.length, 2);
    m.utterances.forEach((u, i) => {
      const truth = talk.head!.replies[i]!.voiceOnsetUnixMs - talk.prompts[i]!.endedAtUnixMs;
      assert.ok(u.responseLatencyMs !== null && Math.abs(u.responseLatencyMs - truth) <= 20, `utterance ${i}: ${u.responseLatencyMs} ms, the head's ledger ${truth.toFixed(1)} ms`);
    });
  });

  for (const [what, url, expected] of [
    ["a 404", () => `${head.offerUrl.replace("/offer", "/nope")}`, /talk driver: POST http:\/\/127\.0\.0\.1:\d+\/nope answered 404 Not Found/],
    ["a 500", () => `${base}/fail`, /talk driver: POST http:\/\/127\.0\.0\.1:\d+\/fail answered 500 Internal Server Error: model crashed/],
    ["a request never answered", () => `${base}/hang`, /talk driver: POST http:\/\/127\.0\.0\.1:\d+\/hang did not answer within 10 s/],
  ] as const) {
    test(`${what} from the speech URL is one line naming it, exit 2, a partial result`, async () => {
      const out = tempDir("avsync-talk-fail-");
      const run = await runCli(["bench", "--talk", "--target", head.offerUrl, "--talk-url", url(), "--utterance", "Hello.", "--out", out], 90_000);
      assert.equal(run.code, 2, run.stderr);
      const last = run.stderr.trim().split("\n").at(-1)!;
      assert.match(last, expected);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
      const saved = JSON.parse(readFileSync(`${out}/result.json`, "utf8")) as BenchResult;
      assert.equal(saved.complete, false);
      assert.match(saved.talk!.error!, expected);
      assert.ok(saved.received.audioPackets > 0, "what was received before the driver failed is kept");
    });
  }

  test("a session the head does not know is its own refusal, quoted", async () => {
    const out = tempDir("avsync-talk-refused-");
    const run = await runCli(["bench", "--talk", "--target", head.offerUrl, "--talk-url", head.humanUrl, "--talk-body", '{"sessionid":"nobody","text":"{text}"}', "--utterance", "Hello.", "--out", out], 90_000);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr.trim().split("\n").at(-1)!, /talk driver: POST http:\/\/127\.0\.0\.1:\d+\/human refused: code -1: no session "nobody"/);
  });

  test("bad talk flags are one line, exit 2, before anything runs", async () => {
    for (const [args, expected] of [
      [["--talk", "--target", head.offerUrl], /`--talk` with `--target` needs `--talk-url`/],
      [["--talk", "--target", head.offerUrl, "--talk-url", "ftp://x/human"], /Expected `--talk-url` to be an http\(s\) URL/],
      [["--talk", "--target", head.offerUrl, "--talk-url", head.humanUrl, "--talk-body", "[1]"], /Expected `--talk-body` to be a JSON object/],
      [["--talk", "--lip-offset-ms", "abc"], /Expected `--lip-offset-ms` to be a number/],
      [["--talk", "--talk-microphone", "--target", head.offerUrl, "--talk-url", head.humanUrl], /--talk-url=.* cannot also be provided when using --talk-microphone|--talk-microphone=.* cannot also be provided when using --talk-url/],
    ] as const) {
      const run = await runCli(["bench", ...args], 30_000);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, expected);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
    }
  });
});
