import { strict as assert } from "node:assert";
import { performance } from "node:perf_hooks";
import { describe, test } from "node:test";
import { RtcpSrPacket, type RtcpPacket, type RtpPacket } from "werift";
import { stallDelayBoundMs, unixMsFromNtp } from "../../../src/lib/analysis/index.js";
import { encodeTestPattern, type PatternOptions } from "../../../src/lib/media/index.js";
import { PusherSession, noInjections, type Injections, type MediaOutput, type PusherMode } from "../../../src/lib/pusher/index.js";

// The ledger takes the time just before a frame's packets go to the output, and the output stamps each as
// it takes it: on an idle machine 0.1 ms apart, but the thread can be preempted between the two, a
// scheduler slice on a busy one (1.3 ms seen with a neighbour holding a core): 5 ms still tells a frame
// (20 or 33 ms) or a beep's place in its frame from another.
// A longer preemption shows as a stall of the pusher's own thread (report.loopStalls), which is added.
const handOffMs = 5;

interface Sent {
  packets: Array<{ seq: number; ts: number; atMs: number }>;
  reports: Array<{ ntpMs: number; rtpTs: number }>;
}

function recordingOutput(ssrc: number): { output: MediaOutput; sent: Sent } {
  const sent: Sent = { packets: [], reports: [] };
  return {
    sent,
    output: {
      ssrc,
      sendRtp: async (packet: RtpPacket) => {
        sent.packets.push({ seq: packet.header.sequenceNumber, ts: packet.header.timestamp, atMs: performance.now() });
      },
      sendRtcp: async (packets: RtcpPacket[]) => {
        for (const p of packets) {
          if (p instanceof RtcpSrPacket) {
            const ntp = p.senderInfo.ntpTimestamp;
            sent.reports.push({ ntpMs: unixMsFromNtp(Number(ntp >> 32n), Number(ntp & 0xffffffffn)), rtpTs: p.senderInfo.rtpTimestamp });
          }
        }
      },
    },
  };
}

async function push(mode: PusherMode, injections: Partial<Injections> = {}, durationS = 1.2, patternOptions: Partial<PatternOptions> = {}) {
  const pattern = await encodeTestPattern({ allKeyframes: mode === "seed", ...patternOptions });
  const audio = recordingOutput(1);
  const video = recordingOutput(2);
  const pusher = new PusherSession({ mode, pattern, injections: { ...noInjections, ...injections }, durationS }, { audio: audio.output, video: video.output });
  pusher.start();
  await pusher.done;
  return { audio: audio.sent, video: video.sent, report: pusher.report() };
}

// Sender-clock time of a packet through the SR (RFC 3550 §6.4.1), at the nominal clock rate.
function senderMs(report: { ntpMs: number; rtpTs: number }, ts: number, clockHz: number): number {
  const delta = ((((ts - report.rtpTs) >>> 0) + 2 ** 31) % 2 ** 32) - 2 ** 31;
  return report.ntpMs + (delta * 1000) / clockHz;
}

describe("PusherSession (paced)", () => {
  test("stamps audio by samples and video by 90 kHz ticks from one anchor, and its SRs agree", async () => {
    const { audio, video, report } = await push("paced");
    assert.equal(audio.packets.length, 60);
    assert.equal(video.packets.length, 36);
    audio.packets.slice(1).forEach((p, i) => assert.equal((p.ts - audio.packets[i]!.ts) >>> 0, 960));
    video.packets.slice(1).forEach((p, i) => assert.equal((p.ts - video.packets[i]!.ts) >>> 0, 3000));
    assert.ok(audio.reports.length >= 2 && video.reports.length >= 2, "an SR per second per stream, the first at once");
    // Every packet maps, through every SR, to anchor + its scheduled time: one clock for all.
    for (const [stream, clockHz, stepMs] of [[audio, 48_000, 20], [video, 90_000, 1000 / 30]] as const) {
      for (const sr of stream.reports) {
        stream.packets.forEach((p, i) => {
          const errorMs = senderMs(sr, p.ts, clockHz) - (report.anchorUnixMs! + i * stepMs);
          assert.ok(Math.abs(errorMs) < 0.05, `packet ${i}: ${errorMs} ms off the anchor's clock`);
        });
      }
    }
    // The ledger's lateness is the send time the output saw, against the schedule (a busy machine only
    // moves both), within the hand-off plus the pusher thread's own stalls around it: a busy-core CI
    // run saw frame 5 handed over 5.4 ms after the ledger's stamp.
    assert.equal(report.audio.latenessMs.length, 60);
    for (const [stream, stepMs, pacing] of [[audio, 20, report.audio], [video, 1000 / 30, report.video]] as const) {
      pacing.latenessMs.forEach(([index, lateMs], i) => {
        const dueUnixMs = report.anchorUnixMs! + index * stepMs;
        const seenLateMs = performance.timeOrigin + stream.packets[i]!.atMs - dueUnixMs;
        const allowedMs = handOffMs + stallDelayBoundMs(report.loopStalls!, dueUnixMs + lateMs);
        assert.ok(lateMs >= 0 && Math.abs(seenLateMs - lateMs) < allowedMs, `frame ${index}: ledger ${lateMs} ms late, the output saw ${seenLateMs} (allowed ${allowedMs} ms)`);
      });
    }
  });

  test("its marker ledger holds when each flash frame and each beep onset left", async () => {
    const { audio, video, report } = await push("paced", { scheduleOffsetMs: -40 }, 2.2, { contentOffsetMs: 80 });
    // Lead-in 0.5 s, one marker a second: flashes leave with push frames 15 and 45, the beeps 80 ms
    // before each on the content timeline, sent 40 ms late: content ms 420 and 1420, audio frame 21 and 71.
    assert.deepEqual(report.markers!.map((m) => [m.occurrence, m.markerCode]), [[0, 0], [1, 1]]);
    for (const [k, marker] of report.markers!.entries()) {
      const flash = video.packets.find((p) => p.ts === (video.packets[0]!.ts + (15 + 30 * k) * 3000) >>> 0)!;
      const beep = audio.packets[21 + 50 * k]!;
      const stalls = report.loopStalls!;
      assert.ok(Math.abs(marker.flashSentUnixMs! - (performance.timeOrigin + flash.atMs)) < handOffMs + stallDelayBoundMs(stalls, marker.flashSentUnixMs!), `marker ${k}: flash left ${marker.flashSentUnixMs}, the output saw ${performance.timeOrigin + flash.atMs}`);
      assert.ok(Math.abs(marker.beepSentUnixMs! - (performance.timeOrigin + beep.atMs)) < handOffMs + stallDelayBoundMs(stalls, marker.beepSentUnixMs!), `marker ${k}: beep left ${marker.beepSentUnixMs}, the output saw ${performance.timeOrigin + beep.atMs}`);
    }
  });

  test("a stall of its thread between a frame's send stamp and its packets leaving is in its own account", async () => {
    const pattern = await encodeTestPattern({});
    const audio = recordingOutput(1);
    const video = recordingOutput(2);
    // The 10th video packet's hand-off holds the thread 40 ms, as a preemption just after the stamp would.
    let held: [number, number] | undefined;
    const send = video.output.sendRtp;
    let count = 0;
    video.output.sendRtp = async (packet) => {
      if (++count === 10) {
        const from = performance.now();
        while (performance.now() - from < 40);
        held = [performance.timeOrigin + from, performance.timeOrigin + performance.now()];
      }
      return send(packet);
    };
    const pusher = new PusherSession({ mode: "paced", pattern, injections: noInjections, durationS: 1 }, { audio: audio.output, video: video.output });
    pusher.start();
    await pusher.done;
    const stalls = pusher.report().loopStalls!;
    // Its watch ticks every 2 ms: the stall begins within a tick of the hold (or earlier, when a
    // neighbour had the core just before) and lasts at least as long, in Unix ms like the ledger. It
    // may end later: the tick that ends it waits for the core too (one unit run: 6.2 ms past the hold).
    const seen = stalls.stalls.find(([startMs, ms]) => startMs <= held![0] + 3 && startMs + ms >= held![1] - 3);
    assert.ok(seen, `a stall from ${held![0].toFixed(1)} to ${held![1].toFixed(1)}: ${JSON.stringify(stalls.stalls)}`);
  });

  test("--timestamp-offset-ms N shifts audio timestamps by −N against honest SRs", async () => {
    const { audio, report } = await push("paced", { timestampOffsetMs: -80 });
    const sr = audio.reports[0]!;
    audio.packets.forEach((p, i) => {
      const errorMs = senderMs(sr, p.ts, 48_000) - (report.anchorUnixMs! + i * 20 + 80);
      assert.ok(Math.abs(errorMs) < 0.05, `packet ${i}: ${errorMs} ms`);
    });
  });

  test("--schedule-offset-ms −80 sends audio 80 ms after video with honest timestamps", async () => {
    const { audio, video, report } = await push("paced", { scheduleOffsetMs: -80 });
    // Due 80 ms apart; what each really left with is in the ledger (a busy machine makes either late).
    const gapMs = audio.packets[0]!.atMs - video.packets[0]!.atMs;
    const lateMs = report.audio.latenessMs[0]![1] - report.video.latenessMs[0]![1];
    assert.ok(Math.abs(gapMs - (80 + lateMs)) < 0.5, `audio left ${gapMs} ms after video; due 80 ms after, ${lateMs} ms later than video by the ledger`);
    assert.equal((audio.packets[1]!.ts - audio.packets[0]!.ts) >>> 0, 960, "timestamps stay honest");
  });

  test("sessions started together anchor at different phases of the frame interval, so their frames do not fall due at once", async () => {
    const pattern = await encodeTestPattern({});
    const frameMs = 1000 / pattern.options.fps;
    const pushers = Array.from({ length: 5 }, (_, i) => new PusherSession({ mode: "paced", pattern, injections: noInjections, durationS: 0.2 }, { audio: recordingOutput(10 + i).output, video: recordingOutput(20 + i).output }));
    for (const p of pushers) p.start();
    await Promise.all(pushers.map((p) => p.done));
    const phases = pushers.map((p) => (((p.report().anchorUnixMs! % frameMs) + frameMs) % frameMs)).sort((a, b) => a - b);
    // Five phases k·φ of an interval: neighbours at least 0.146 of it (4.9 ms at 30 fps) apart, the wrap too.
    const gaps = phases.map((p, i) => (i === 0 ? phases[0]! + frameMs - phases.at(-1)! : p - phases[i - 1]!));
    assert.ok(Math.min(...gaps) >= 0.14 * frameMs, `phases ${phases.map((p) => p.toFixed(2)).join(" ")} ms`);
  });

  test("drop injections skip exactly those frames without touching the others' timestamps", async () => {
    const { audio, video, report } = await push("paced", { dropVideoFrames: [3, 4], dropAudioFrames: [10] });
    assert.equal(video.packets.length, 34);
    assert.equal(audio.packets.length, 59);
    const videoSteps = video.packets.slice(1).map((p, i) => (p.ts - video.packets[i]!.ts) >>> 0);
    assert.deepEqual(videoSteps.filter((s) => s !== 3000), [9000]);
    assert.equal(videoSteps.indexOf(9000), 2);
    const audioSteps = audio.packets.slice(1).map((p, i) => (p.ts - audio.packets[i]!.ts) >>> 0);
    assert.deepEqual(audioSteps.filter((s) => s !== 960), [1920]);
    assert.equal(report.video.framesDroppedByInjection, 2);
    assert.equal(report.audio.framesDroppedByInjection, 1);
  });
});

describe("PusherSession (seed)", () => {
  test("stamps video when it is pulled, so steps vary, and counts repeats and skips", async () => {
    const { video, report } = await push("seed", {}, 2);
    const steps = new Set(video.packets.slice(1).map((p, i) => (p.ts - video.packets[i]!.ts) >>> 0));
    assert.ok(steps.size > 1, `video steps ${[...steps]}`);
    assert.equal(report.mode, "seed");
    assert.ok(report.video.latenessMs.length > 0);
    assert.ok(report.audio.queueDepthMax >= 1);
  });
});
