// What a probe session shows while it is still recording, without decoding anything: packets, loss
// from sequence gaps, and the transport relative delay (libwebrtc's A/V sync input, DESIGN §3) over
// the last seconds. `bench --metrics-port` serves these so a long run can be watched (issue 15).
import { createSequenceUnwrapper, fitLine, SenderClock, summarize } from "../analysis/index.js";
import { PacketLog } from "./packet-log.js";
import type { PacketSequence, ProbeRecording, RecordedPacket, StreamRecording } from "./recording.js";

const held = (packets: PacketSequence): number => (packets instanceof PacketLog ? packets.held : packets.length);

/** One session's live figures, read at `atMs` (the probe's monotonic clock). */
export interface LiveSessionFigures {
  connected: boolean;
  packets: { audio: number; video: number };
  /** Packets the sequence numbers say were sent but never arrived (so far). */
  lost: { audio: number; video: number };
  /** Packets whose records are still held in memory (`--segment` lets measured ones go). */
  held: number;
  /** Median transport relative delay of the video frames that completed in the last window; null without both streams' Sender Reports. */
  transportOffsetMs: number | null;
  /** How many video frames that median is over. */
  transportFrames: number;
  /** Slope of those medians over the run so far, ms per hour; null before a minute of them. */
  transportDriftMsPerHour: number | null;
}

// The window the live transport offset is the median over.
const windowMs = 10_000;
// The run's history of window medians, for the drift: one every 5 s at most, thinned to every other
// one whenever it reaches the cap, so a day's run keeps a bounded, evenly spread series.
const historyEveryMs = 5_000;
const historyCap = 1024;
const minDriftSpanMs = 60_000;

// One stream read incrementally: its new packets and Sender Reports, in arrival order.
class StreamCursor {
  readonly clock: SenderClock;
  readonly #unwrapSeq = createSequenceUnwrapper();
  #packets = 0;
  #reports = 0;
  #firstSeq: number | null = null;
  #lastSeq = -Infinity;
  #unique = 0;
  readonly #seen = new Set<number>();

  constructor(private readonly stream: StreamRecording, defaultClockHz: number) {
    this.clock = new SenderClock(stream.codecs?.[0]?.clockRateHz ?? defaultClockHz);
  }

  get packets(): number {
    return this.#packets;
  }

  get lost(): number {
    return this.#firstSeq === null ? 0 : Math.max(0, this.#lastSeq - this.#firstSeq + 1 - this.#unique);
  }

  /** Hands each new packet (with its extended RTP timestamp) to `onPacket`, the SRs in between to the clock. */
  advance(onPacket: (packet: RecordedPacket, extendedTs: number) => void): void {
    const { packets, senderReports } = this.stream;
    while (this.#packets < packets.length) {
      const packet = packets.at(this.#packets)!;
      while (this.#reports < senderReports.length && senderReports[this.#reports]!.arrivalMs <= packet.arrivalMs) this.clock.addSenderReport(senderReports[this.#reports++]!);
      this.#packets++;
      const seq = this.#unwrapSeq(packet.seq);
      this.#firstSeq ??= seq;
      // Duplicates (retransmissions) count once; a short memory of recent numbers is enough for that.
      if (!this.#seen.has(seq)) {
        this.#seen.add(seq);
        this.#unique++;
        if (this.#seen.size > 4096) this.#seen.delete(this.#seen.values().next().value!);
      }
      this.#lastSeq = Math.max(this.#lastSeq, seq);
      onPacket(packet, this.clock.unwrap(packet.rtpTs));
    }
    while (this.#reports < senderReports.length) this.clock.addSenderReport(senderReports[this.#reports++]!);
  }
}

/**
 * Follows one probe session's recording as it grows; each `read` takes in what arrived since the last.
 * The transport offset is DESIGN §3's relative delay: a video frame's arrival − its capture time (its
 * RTP time on the sender's clock) minus the same for the audio packet that arrived last before it.
 */
export class LiveSessionTracker {
  readonly #recording: ProbeRecording;
  readonly #audio: StreamCursor;
  readonly #video: StreamCursor;
  #lastAudio: { arrivalMs: number; ts: number } | null = null;
  readonly #delays: Array<[number, number]> = [];
  #history: Array<[number, number]> = [];

  constructor(recording: ProbeRecording) {
    this.#recording = recording;
    this.#audio = new StreamCursor(recording.audio, 48_000);
    this.#video = new StreamCursor(recording.video, 90_000);
  }

  read(atMs: number): LiveSessionFigures {
    // Audio first: a frame is set against the audio that had arrived by its last packet.
    const audioQueue: Array<{ arrivalMs: number; ts: number }> = [];
    this.#audio.advance((p, ts) => audioQueue.push({ arrivalMs: p.arrivalMs, ts }));
    let next = 0;
    this.#video.advance((p, ts) => {
      while (next < audioQueue.length && audioQueue[next]!.arrivalMs <= p.arrivalMs) this.#lastAudio = audioQueue[next++]!;
      // A frame is complete with its marker packet (a frame whose marker packet is lost is left out).
      if (p.marker) this.#addFrame(p.arrivalMs, ts);
    });
    while (next < audioQueue.length) this.#lastAudio = audioQueue[next++]!;
    while (this.#delays.length && this.#delays[0]![0] < atMs - windowMs) this.#delays.shift();
    const recent = summarize(this.#delays.map(([, d]) => d));
    if (recent.p50 !== null && !(this.#history.length && atMs - this.#history.at(-1)![0] < historyEveryMs)) {
      this.#history.push([atMs, recent.p50]);
      if (this.#history.length >= historyCap) this.#history = this.#history.filter((_, i) => i % 2 === 0);
    }
    const span = this.#history.length ? this.#history.at(-1)![0] - this.#history[0]![0] : 0;
    const fit = span >= minDriftSpanMs ? fitLine(this.#history.map(([t]) => t), this.#history.map(([, d]) => d)) : null;
    return {
      connected: this.#recording.connectedAtMs !== null && this.#recording.endedAtMs === null,
      packets: { audio: this.#audio.packets, video: this.#video.packets },
      lost: { audio: this.#audio.lost, video: this.#video.lost },
      held: held(this.#recording.audio.packets) + held(this.#recording.video.packets),
      transportOffsetMs: recent.p50,
      transportFrames: recent.count,
      transportDriftMsPerHour: fit ? fit.slope * 3_600_000 : null,
    };
  }

  #addFrame(arrivalMs: number, ts: number): void {
    const audio = this.#lastAudio;
    if (!audio) return;
    const videoCaptureMs = this.#video.clock.toSenderMs(ts);
    const audioCaptureMs = this.#audio.clock.toSenderMs(audio.ts);
    if (videoCaptureMs === null || audioCaptureMs === null) return;
    this.#delays.push([arrivalMs, arrivalMs - videoCaptureMs - (audio.arrivalMs - audioCaptureMs)]);
  }
}
