import { layOutCodeStrip, lumaBlack, lumaWhite, readFrameCode, type CodeStripLayout } from "./frame-code.js";
import { loadLibAV, type LibAVInstance } from "./libav-instance.js";

// What one received picture says: which content frame it is, and whether it is a flash.
export interface VideoMarkerReading {
  frameCode: number | null;
  flash: boolean;
  /** Mean luma of the picture above the code band, 16 (black) .. 235 (white). */
  lumaMean: number;
}

// The receiver's half of the video marker: decodes VP8 with libvpx and reads the pattern back.
export class VideoMarkerReader {
  private decoder: Promise<{ libav: LibAVInstance; ctx: number; pkt: number; frame: number }> | undefined;
  private layout: { width: number; height: number; strip: CodeStripLayout | null } | undefined;

  constructor(opts: { width?: number; height?: number } = {}) {
    if (opts.width !== undefined && opts.height !== undefined) {
      this.layout = { width: opts.width, height: opts.height, strip: layOutCodeStrip(opts.width, opts.height) };
    }
  }

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
    return this.read(picture.data as Uint8Array, picture.layout[0]!, picture.width, picture.height);
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

  private read(luma: Uint8Array, plane: { offset: number; stride: number }, width: number, height: number): VideoMarkerReading {
    if (this.layout?.width !== width || this.layout.height !== height) {
      this.layout = { width, height, strip: stripFor(width, height) };
    }
    const { strip } = this.layout;
    // Without a strip (a picture from someone else's clip, too small for one) the whole picture is the flash area.
    const flashRows = strip?.bandTop ?? height;
    let sum = 0;
    for (let y = 0; y < flashRows; y++) {
      const row = plane.offset + y * plane.stride;
      for (let x = 0; x < width; x++) sum += luma[row + x]!;
    }
    const lumaMean = sum / (flashRows * width);
    return {
      frameCode: strip ? readFrameCode(luma, plane.offset, plane.stride, strip) : null,
      flash: lumaMean > (lumaBlack + lumaWhite) / 2,
      lumaMean,
    };
  }
}

function stripFor(width: number, height: number): CodeStripLayout | null {
  try {
    return layOutCodeStrip(width, height);
  } catch {
    return null;
  }
}
