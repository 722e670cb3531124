// The code strip: 12 bits of frame index plus a 4-bit check, drawn as 16 big
// luma blocks on a band that is always black, so a flash never bleeds into it.

const indexBits = 12;
const checkBits = 4;
const codeBits = indexBits + checkBits;
// Studio-swing luma: what VP8 and browsers treat as black and white.
export const lumaBlack = 16;
export const lumaWhite = 235;

// Geometry shared by the painter and the reader; both derive it from the picture size alone.
export interface CodeStripLayout {
  blockPx: number;
  x0: number;
  y0: number;
  /** First row of the always-black band; rows above it belong to the picture (and the flash). */
  bandTop: number;
}

// Places the strip on macroblock boundaries so VP8 codes each block as flat luma and keeps it crisp.
export function layOutCodeStrip(width: number, height: number): CodeStripLayout {
  const blockPx = 16 * Math.max(1, Math.floor(width / 320));
  const x0 = Math.floor((width - codeBits * blockPx) / 2 / 16) * 16;
  const y0 = Math.floor((height - blockPx) / 16) * 16;
  const bandTop = y0 - blockPx;
  if (x0 < 0 || bandTop <= 0) throw new RangeError(`A ${width}x${height} picture is too small for the frame code strip.`);
  return { blockPx, x0, y0, bandTop };
}

// Frame index with its check nibble; the check is never 0 for index 0, so a plain black band reads as no code.
function packFrameCode(frameIndex: number): number {
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= 1 << indexBits) {
    throw new RangeError(`Expected a frame index in 0..${(1 << indexBits) - 1}, got \`${frameIndex}\`.`);
  }
  return (frameIndex << checkBits) | checkNibble(frameIndex);
}

// Paints the code for frameIndex into a luma plane that already holds the black band.
export function drawFrameCode(luma: Uint8Array, stride: number, layout: CodeStripLayout, frameIndex: number): void {
  const word = packFrameCode(frameIndex);
  for (let bit = 0; bit < codeBits; bit++) {
    if (((word >> (codeBits - 1 - bit)) & 1) === 0) continue;
    const x = layout.x0 + bit * layout.blockPx;
    for (let y = layout.y0; y < layout.y0 + layout.blockPx; y++) {
      luma.fill(lumaWhite, y * stride + x, y * stride + x + layout.blockPx);
    }
  }
}

// Reads the frame index back from a decoded luma plane; null when the check fails.
export function readFrameCode(luma: Uint8Array, offset: number, stride: number, layout: CodeStripLayout): number | null {
  // Sampling only the block centres ignores the ringing VP8 leaves at block edges.
  const margin = layout.blockPx / 4;
  const threshold = (lumaBlack + lumaWhite) / 2;
  let word = 0;
  for (let bit = 0; bit < codeBits; bit++) {
    const x = layout.x0 + bit * layout.blockPx;
    let sum = 0;
    let count = 0;
    for (let y = layout.y0 + margin; y < layout.y0 + layout.blockPx - margin; y++) {
      const row = offset + y * stride;
      for (let xi = x + margin; xi < x + layout.blockPx - margin; xi++) {
        sum += luma[row + xi]!;
        count++;
      }
    }
    word = (word << 1) | (sum / count > threshold ? 1 : 0);
  }
  const frameIndex = word >> checkBits;
  return (word & ((1 << checkBits) - 1)) === checkNibble(frameIndex) ? frameIndex : null;
}

function checkNibble(frameIndex: number): number {
  return ((frameIndex & 0xf) + ((frameIndex >> 4) & 0xf) + ((frameIndex >> 8) & 0xf) + 0xa) & 0xf;
}
