import { judgeOffset, summarize, type Summary } from "../analysis/index.js";
import type { BenchResult } from "../bench/index.js";
import { judgedMarkersOf } from "../gate/index.js";
import { maxTerminalLineChars, safeText } from "../text/index.js";

const fmt = (value: number | null | undefined, digits = 1): string => (value === null || value === undefined ? "n/a" : value.toFixed(digits));

function offsetLine(label: string, s: Summary): string {
  return `  ${label.padEnd(30)} mean ${fmt(s.mean).padStart(7)}  p50 ${fmt(s.p50).padStart(7)}  p95 ${fmt(s.p95).padStart(7)}  max|x| ${fmt(s.maxAbs).padStart(7)} ms  (n=${s.count})`;
}

/** The human summary of a bench run, for the terminal (stderr). */
export function renderBenchSummary(result: BenchResult, folder: string): string {
  const lines: string[] = [];
  const { config } = result;
  lines.push(`avsync bench — ${config.pusher} pusher, ${config.durationS} s, target ${config.target.url || "(not started)"}`);
  if (!result.complete) lines.push(`  INCOMPLETE: ${result.incompleteReason ?? "unknown reason"}`);
  if (config.target.push) lines.push(`  published with WHIP to ${config.target.push}`);
  if (result.received.sessionId) lines.push(`  session ${result.received.sessionId}`);
  const probe = result.probe;
  if (probe) {
    lines.push("");
    // A segmented run's probe is its first session's last segment; the segments' sum is below.
    const scope = result.segmented ? ", the last segment (every segment below)" : "";
    lines.push(`Lip-sync offset (video − audio; positive = audio leads)${scope}, markers paired ${probe.markers.paired}/${result.expectedMarkers}${markerSourceNote(probe.markers.source)}`);
    lines.push(offsetLine("content, sender clock (SR)", probe.content.senderOffsetMs));
    lines.push(offsetLine("content, at arrival", probe.content.arrivalOffsetMs));
    lines.push(offsetLine("transport relative delay", probe.transport.relativeDelayMs));
    lines.push(`  error kind: ${probe.errorKind.kind} — ${probe.errorKind.explanation}`);
    lines.push("");
    lines.push("Continuity");
    for (const kind of ["audio", "video"] as const) {
      const c = probe.continuity[kind];
      const exact = c.stepsExact === null ? "n/a" : `${(c.stepsExact * 100).toFixed(1)}%`;
      lines.push(
        `  ${kind.padEnd(6)} ${c.frames} frames, steps exactly ${c.expectedStepTicks}: ${exact}, discontinuities ${c.discontinuities.length}, missing frames ${c.missingFrames.length}` +
          `${c.missingFrames.length ? ` [${compactList(c.missingFrames)}]` : ""}, lost packets ${c.sequenceGaps.lostPackets}, jitter ${fmt(c.jitterMs.final, 2)} ms, drift ${fmt(c.driftPpm, 0)} ppm`,
      );
    }
    const drops = result.received.socketDrops ?? 0;
    if (drops > 0) lines.push(`  the probe's own sockets dropped ${drops} datagrams (receive buffer full): the lost packets above include them, not only the network's`);
    const content = probe.continuity.video.content;
    if ((probe.markers.source ?? "indexed") === "indexed") {
      lines.push(`  video content: ${content.decoded} frames decoded, ${content.repeated} repeated, ${content.skipped} skipped, ${content.unreadable} unreadable`);
    }
    if (probe.anomalies?.length) {
      lines.push("");
      lines.push("Anomalies");
      for (const a of probe.anomalies) lines.push(`  ${a.name} (${a.stream}): ${a.message}`);
    }
  }
  lines.push(...talkLines(result));
  const pacing = result.pacing;
  if (pacing) {
    lines.push("");
    lines.push("Pusher pacing (send time − scheduled time)");
    for (const kind of ["audio", "video"] as const) {
      const lateness = summarize(pacing[kind].latenessMs.map(([, ms]) => ms));
      lines.push(`  ${kind.padEnd(6)} p50 ${fmt(lateness.p50, 2)} ms, p99 ${fmt(lateness.p99, 2)} ms, max ${fmt(lateness.max, 2)} ms, sent ${pacing[kind].framesSent}`);
    }
    lines.push(`  audio queue: max depth ${pacing.audio.queueDepthMax}, drops ${pacing.audio.queueDrops}`);
  }
  const talked = result.talk?.measurements?.lipOffsetMs;
  if (probe && probe.markers.paired === 0 && talked && talked.count > 0) {
    const v = judgeOffset(talked, "itu-detect");
    lines.push("");
    lines.push(`Verdict (ITU-R BT.1359 detectability ${v.lowMs}…+${v.highMs} ms, per utterance): ${v.pass ? "PASS" : "FAIL"}, worst utterance ${fmt(v.worstMs)} ms`);
  } else if (probe) {
    // Judged on what the gate's presets judge.
    const judged = judgedMarkersOf(result);
    const every = judged?.scope ? judged : null;
    const v = every ? judgeOffset(every.summary, "itu-detect") : probe.verdict.sender.pass === null ? probe.verdict.arrival : probe.verdict.sender;
    lines.push("");
    lines.push(
      v.pass === null
        ? "Verdict: no markers measured, ITU-R BT.1359 cannot be judged."
        : `Verdict (ITU-R BT.1359 detectability ${v.lowMs}…+${v.highMs} ms${every ? `, every marker of ${every.scope}` : ""}): ${v.pass ? "PASS" : "FAIL"}, worst marker ${fmt(v.worstMs)} ms`,
    );
  }
  const aggregate = result.aggregate;
  if (aggregate && aggregate.requested > 1) {
    lines.push("");
    lines.push(`Sessions: ${aggregate.measured}/${aggregate.requested} measured, ${aggregate.failed} failed, ramp ${aggregate.rampPerS}/s, join p50 ${fmt(aggregate.joinTimeMs.p50, 0)} ms, p95 ${fmt(aggregate.joinTimeMs.p95, 0)} ms`);
    lines.push(offsetLine("median per session, sender clock", aggregate.senderOffsetP50Ms));
    lines.push(offsetLine("median per session, transport", aggregate.relativeDelayP50Ms));
    const worst = aggregate.worstSession;
    if (worst) lines.push(`  worst session #${worst.index}: ${fmt(worst.offsetMs)} ms (${worst.method})`);
    // What the presets judge with more than one session: every marker of every session.
    if (result.pooled && result.pooled.sessions > 1) lines.push(offsetLine("every marker, sender clock", result.pooled.senderOffsetMs.summary));
  }
  if (result.merge) {
    const { shards, count, missing } = result.merge;
    lines.push(`Merged from ${shards.length} of ${count} shards (${shards.map((s) => `#${s.index} ${s.sessions} on ${s.host}${s.complete ? "" : ", incomplete"}`).join("; ")})${missing.length ? `; missing: ${missing.join(", ")}` : ""}`);
  }
  if (result.segmented) {
    const { segmentS, segments, driftMsPerHour } = result.segmented;
    const drift = driftMsPerHour.map((d) => `#${d.session} ${d.sender === null ? "n/a" : `${fmt(d.sender)} ms/h`}`).join(", ");
    lines.push(`Measured as it went: ${segments.length} segments of up to ${segmentS} s; drift of the sender-clock offset per session: ${drift || "n/a (fewer than 3 segments)"}`);
    if (result.pooled) lines.push(offsetLine("every segment, sender clock", result.pooled.senderOffsetMs.summary));
  }
  lines.push(`Result: ${folder}/result.json`);
  // Session ids, reasons and URLs may come from a target: no line carries a control character to the terminal or runs on for pages.
  return lines.map((line) => safeText(line, maxTerminalLineChars)).join("\n");
}

// `--talk`: per utterance, the lips against the voice and how long the answer took.
function talkLines(result: BenchResult): string[] {
  const talk = result.talk;
  if (!talk) return [];
  const said = talk.driver.kind === "microphone" ? `spoken on the probe's microphone to ${talk.driver.url}` : `sent to ${talk.driver.url}`;
  const lines = ["", `Talking head (markerless; ${talk.utterances.length} utterances ${said})`];
  if (talk.head) lines.push(`  reference head: lip offset injected ${talk.head.lipOffsetMs} ms, response delay ${talk.head.responseDelayMs} ms`);
  if (talk.error) lines.push(`  ${talk.error}`);
  const m = talk.measurements;
  if (!m) return lines;
  m.utterances.forEach((u, i) => {
    const lip = u.lipOffsetMs === null ? `not available (${u.notAvailable})` : `${fmt(u.lipOffsetMs)} ms, confidence ${u.confidence.toFixed(2)}`;
    lines.push(`  ${String(i + 1).padStart(2)}. lips ${lip}; answer ${fmt(u.responseLatencyMs, 0)} ms, mouth ${fmt(u.mouthLatencyMs, 0)} ms  "${u.text}"`);
  });
  lines.push(offsetLine(`lip offset (${m.clock === "sender" ? "sender clock" : "at arrival"})`, m.lipOffsetMs));
  lines.push(`  response latency p50 ${fmt(m.responseLatencyMs.p50, 0)} ms, p95 ${fmt(m.responseLatencyMs.p95, 0)} ms; mouth p50 ${fmt(m.mouthLatencyMs.p50, 0)} ms, p95 ${fmt(m.mouthLatencyMs.p95, 0)} ms`);
  return lines;
}

function markerSourceNote(source: string | undefined): string {
  if (source === "flash-beep") return " (beep/flash clip, no index)";
  if (source === "none") return " (no markers in this content: content offsets not available)";
  return "";
}

function compactList(values: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    parts.push(j > i ? `${values[i]}-${values[j]}` : `${values[i]}`);
    i = j + 1;
  }
  return parts.join(",");
}
