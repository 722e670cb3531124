import { loadLibAV, type LibAVInstance } from "./libav-instance.js";
import { PictureReader, type VideoMarkerReading } from "./picture-reading.js";

// The receiver's half of the video marker for VP8: decodes with libvpx (libav.js, no system
// library needed) and reads the pattern back.
export class VideoMarkerReader {
  private decoder: Promise<{ libav: LibAVInstance; ctx: number; pkt: number; frame: number }> | undefined;
  private readonly reader = new PictureReader();

  // One complete VP8 frame in, one reading out; null while the decoder has no picture (e.g. no keyframe yet).
  async decode(data: Buffer): Promise<VideoMarkerReading | null> {
    const { libav, ctx, pkt, frame } = await this.openDecoder();
    let pictures;
    try {
      pictures = await libav.ff_decode_multi(ctx, pkt, frame, [{ data }], { copyoutFrame: "video" });
    } catch {
      // libvpx rejects inter frames that reference a picture it never saw; that is "no picture", not a failure.
      return null;
    }
    const picture = pictures.at(-1);
    if (!picture?.layout || !picture.width || !picture.height) return null;
    const plane = picture.layout[0]!;
    return this.reader.read({ luma: picture.data as Uint8Array, offset: plane.offset, stride: plane.stride, width: picture.width, height: picture.height });
  }

  // Frees the libvpx context; the shared libav.js instance stays up for other readers.
  async close(): Promise<void> {
    const decoder = this.decoder;
    this.decoder = undefined;
    if (!decoder) return;
    const { libav, ctx, pkt, frame } = await decoder;
    await libav.ff_free_decoder(ctx, pkt, frame);
  }

  private openDecoder() {
    this.decoder ??= (async () => {
      const libav = await loadLibAV();
      // "libvpx" is the only VP8 decoder in the vp8-opus build; ffmpeg's native "vp8" is not compiled in.
      const [, ctx, pkt, frame] = await libav.ff_init_decoder("libvpx");
      return { libav, ctx, pkt, frame };
    })();
    return this.decoder;
  }
}
