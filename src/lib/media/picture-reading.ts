import { layOutCodeStrip, lumaBlack, lumaWhite, readFrameCode, type CodeStripLayout } from "./frame-code.js";

/** One decoded luma plane, as any decoder hands it out. */
export interface LumaPlane {
  luma: Uint8Array;
  offset: number;
  stride: number;
  width: number;
  height: number;
}

// What one received picture says: which content frame it is, whether it is a flash, and the
// coarse brightness map the un-indexed flash finder compares between pictures.
export interface VideoMarkerReading {
  frameCode: number | null;
  /** avsync's pattern: the picture above the code band is brighter than mid-grey. */
  flash: boolean;
  /** Mean luma of the picture above the code band, 16 (black) .. 235 (white). */
  lumaMean: number;
  /** Mean luma of each cell of a gridColumns × gridRows grid over the whole picture, row by row. */
  cellLuma: Float32Array;
  width: number;
  height: number;
}

export const gridColumns = 8;
export const gridRows = 6;
/** Cells in a reading's cellLuma. */
export const gridCells = gridColumns * gridRows;
// Beyond this many pixels a row, every other row and column is enough for means over large cells.
const fullSamplingMaxWidth = 640;

// Reads avsync's frame code (when the picture carries one) and the brightness figures of one picture.
export class PictureReader {
  private layout: { width: number; height: number; strip: CodeStripLayout | null } | undefined;

  read(plane: LumaPlane): VideoMarkerReading {
    const { luma, offset, stride, width, height } = plane;
    if (this.layout?.width !== width || this.layout.height !== height) {
      this.layout = { width, height, strip: stripFor(width, height) };
    }
    const { strip } = this.layout;
    // Without a strip (a picture from someone else's clip, too small for one) the whole picture is the flash area.
    const flashRows = strip?.bandTop ?? height;
    const step = width > fullSamplingMaxWidth ? 2 : 1;
    const cellSums = new Float64Array(gridColumns * gridRows);
    const cellCounts = new Uint32Array(gridColumns * gridRows);
    const cellOfX = new Uint8Array(width);
    for (let x = 0; x < width; x++) cellOfX[x] = Math.min(gridColumns - 1, Math.floor((x * gridColumns) / width));
    let sum = 0;
    let count = 0;
    for (let y = 0; y < height; y += step) {
      const row = offset + y * stride;
      const cellRow = Math.min(gridRows - 1, Math.floor((y * gridRows) / height)) * gridColumns;
      let rowSum = 0;
      for (let x = 0; x < width; x += step) {
        const value = luma[row + x]!;
        rowSum += value;
        const cell = cellRow + cellOfX[x]!;
        cellSums[cell] += value;
        cellCounts[cell]++;
      }
      if (y < flashRows) {
        sum += rowSum;
        count += Math.ceil(width / step);
      }
    }
    const cellLuma = new Float32Array(cellSums.length);
    for (let c = 0; c < cellLuma.length; c++) cellLuma[c] = cellCounts[c] ? cellSums[c]! / cellCounts[c]! : 0;
    const lumaMean = sum / count;
    return {
      frameCode: strip ? readFrameCode(luma, offset, stride, strip) : null,
      flash: lumaMean > (lumaBlack + lumaWhite) / 2,
      lumaMean,
      cellLuma,
      width,
      height,
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
