import { drawFrameCode, layOutCodeStrip, lumaBlack, lumaWhite } from "./frame-code.js";
import { measurePatternLoop, type PatternOptions } from "./pattern-options.js";

// A raw picture in the planar layout libav.js takes for encoding.
export interface I420Picture {
  data: Uint8Array;
  layout: { offset: number; stride: number }[];
}

const chromaNeutral = 128;

// Paints content frame i: dark picture (white on flash frames), black band, frame code.
export function renderPatternFrame(options: PatternOptions, frameIndex: number): I420Picture {
  const { width, height } = options;
  const { framesPerMarker } = measurePatternLoop(options);
  const strip = layOutCodeStrip(width, height);
  const lumaSize = width * height;
  const chromaSize = (width / 2) * (height / 2);
  const data = new Uint8Array(lumaSize + 2 * chromaSize);
  const isFlash = frameIndex % framesPerMarker === 0;
  data.fill(isFlash ? lumaWhite : lumaBlack, 0, strip.bandTop * width);
  data.fill(lumaBlack, strip.bandTop * width, lumaSize);
  data.fill(chromaNeutral, lumaSize);
  drawFrameCode(data, width, strip, frameIndex);
  return {
    data,
    layout: [
      { offset: 0, stride: width },
      { offset: lumaSize, stride: width / 2 },
      { offset: lumaSize + chromaSize, stride: width / 2 },
    ],
  };
}
