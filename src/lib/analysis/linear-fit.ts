// Clock rates (SR mapping, drift in ppm) come from a least-squares line. The fit is kept
// around the means of x and y, because raw values (unix ms ≈ 1.7e12, extended RTP ticks)
// would lose the slope to rounding.

// y ≈ yMean + slope · (x − xMean).
export interface LinearFit {
  xMean: number;
  yMean: number;
  slope: number;
}

// Returns null when x does not vary, as no slope can be fitted then.
export function fitLine(xs: readonly number[], ys: readonly number[]): LinearFit | null {
  const n = xs.length;
  if (n < 2 || ys.length !== n) return null;
  // Summing offsets from the first point keeps the sums small enough to stay exact.
  let dxSum = 0;
  let dySum = 0;
  for (let i = 0; i < n; i++) {
    dxSum += xs[i] - xs[0];
    dySum += ys[i] - ys[0];
  }
  const xMean = xs[0] + dxSum / n;
  const yMean = ys[0] + dySum / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - xMean;
    sxy += dx * (ys[i] - yMean);
    sxx += dx * dx;
  }
  if (sxx === 0) return null;
  return { xMean, yMean, slope: sxy / sxx };
}
