import type { RecordedCodec, StreamRecording } from "./recording.js";

/** The codec one received stream carried, as the answer's SDP named it. */
export interface StreamCodec {
  /** `VP8`, `H264`, `opus` … as the SDP spelt it; null when no packet arrived or its payload type was never negotiated. */
  codec: string | null;
  payloadType: number | null;
  clockRateHz: number | null;
  channels?: number;
  fmtp?: string;
}

// Before issue 17 the probe offered VP8 and Opus only and kept no codec list: those are what it got.
const legacyCodecs: Record<"audio" | "video", RecordedCodec> = {
  audio: { payloadType: -1, mimeType: "audio/opus", clockRateHz: 48_000, channels: 2 },
  video: { payloadType: -1, mimeType: "video/VP8", clockRateHz: 90_000 },
};

/** Names the codec of the payload type most of a stream's packets carried (a server may list several in its answer). */
export function identifyStreamCodec(stream: StreamRecording, kind: "audio" | "video"): StreamCodec {
  if (stream.codecs === undefined) return describe(legacyCodecs[kind]);
  const counts = new Map<number, number>();
  for (const packet of stream.packets) {
    if (packet.payloadType !== undefined) counts.set(packet.payloadType, (counts.get(packet.payloadType) ?? 0) + 1);
  }
  const [payloadType] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  const codec = payloadType === undefined ? stream.codecs[0] : stream.codecs.find((c) => c.payloadType === payloadType);
  if (!codec) return { codec: null, payloadType: payloadType ?? null, clockRateHz: null };
  return describe(codec);
}

function describe(codec: RecordedCodec): StreamCodec {
  return {
    codec: codec.mimeType.replace(/^(audio|video)\//i, ""),
    payloadType: codec.payloadType < 0 ? null : codec.payloadType,
    clockRateHz: codec.clockRateHz,
    ...(codec.channels === undefined ? {} : { channels: codec.channels }),
    ...(codec.fmtp === undefined ? {} : { fmtp: codec.fmtp }),
  };
}

/** H.264's sprop-parameter-sets (RFC 6184 §8.1): SPS and PPS in base64, comma-separated; none when absent. */
export function h264ParameterSetsOf(fmtp: string | undefined): Buffer[] {
  const value = /(?:^|;)\s*sprop-parameter-sets=([^;]*)/.exec(fmtp ?? "")?.[1];
  return value ? value.split(",").filter(Boolean).map((set) => Buffer.from(set.trim(), "base64")) : [];
}
