import { loadLibAV } from "./libav-instance.js";
import type { I420Picture } from "./pattern-frame.js";

// What the RTP packetizer needs per frame.
export interface EncodedVideoFrame {
  data: Buffer;
  keyframe: boolean;
}

export interface VideoEncodeOptions {
  width: number;
  height: number;
  fps: number;
  keyframeInterval: number;
  /** One more frame to encode as a keyframe: where playback of the loop starts. */
  extraKeyframe?: number;
  bitrateBps: number;
  /**
   * Pictures rendered and encoded per call (default 30). The thread is let go between calls, so a
   * caller that shares it with a pusher (the talking head encoding a reply while it streams) asks
   * for a few at a time and its pusher never waits longer than those take.
   */
  picturesPerChunk?: number;
}

// Pictures are rendered and encoded this many at a time by default: a 1080p loop at once would hold ~750 MB of raw frames.
const defaultPicturesPerChunk = 30;

// Encodes pictures with real libvpx so receivers see what a browser would send; exactly one packet per picture.
export async function encodeVp8Frames(count: number, picture: (index: number) => I420Picture, options: VideoEncodeOptions): Promise<EncodedVideoFrame[]> {
  const libav = await loadLibAV();
  const [, ctx, frame, pkt] = await libav.ff_init_encoder("libvpx", {
    ctx: {
      width: options.width,
      height: options.height,
      pix_fmt: libav.AV_PIX_FMT_YUV420P,
      bit_rate: options.bitrateBps,
      gop_size: options.keyframeInterval,
      keyint_min: options.keyframeInterval,
      framerate_num: options.fps,
      framerate_den: 1,
    },
    time_base: [1, options.fps],
    options: {
      deadline: "realtime",
      "cpu-used": "8",
      // No look-ahead and no alt-ref: packet i must be picture i, emitted in order.
      "lag-in-frames": "0",
      "auto-alt-ref": "0",
      // Rate control must never drop a picture; a missing frame code would look like network loss.
      "drop-threshold": "0",
    },
  });
  try {
    const packets = [];
    const picturesPerChunk = options.picturesPerChunk ?? defaultPicturesPerChunk;
    for (let start = 0; start < count; start += picturesPerChunk) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const indexes = Array.from({ length: Math.min(picturesPerChunk, count - start) }, (_, k) => start + k);
      packets.push(
        ...(await libav.ff_encode_multi(
          ctx,
          frame,
          pkt,
          indexes.map((i) => {
            const { data, layout } = picture(i);
            return {
              data,
              layout,
              format: libav.AV_PIX_FMT_YUV420P,
              width: options.width,
              height: options.height,
              pts: i,
              ptshi: 0,
              // Forcing I-frames here keeps the keyframe grid exact even if libvpx decides otherwise.
              pict_type: i % options.keyframeInterval === 0 || i === options.extraKeyframe ? 1 : 0,
            };
          }),
          start + indexes.length === count,
        )),
      );
    }
    if (packets.length !== count) {
      throw new Error(`libvpx returned ${packets.length} packets for ${count} pictures; it must not drop or hold frames.`);
    }
    return packets.map((packet, i) => {
      if (packet.pts !== i) throw new Error(`libvpx emitted picture ${packet.pts} at position ${i}; expected in-order output.`);
      return { data: Buffer.from(packet.data), keyframe: ((packet.flags ?? 0) & libav.AV_PKT_FLAG_KEY) !== 0 };
    });
  } finally {
    await libav.ff_free_encoder(ctx, frame, pkt);
  }
}
