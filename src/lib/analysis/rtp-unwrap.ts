// RFC 3550 §5.1: sequence numbers (16 bits) and timestamps (32 bits) wrap, so analysis works on
// extended values that keep counting past the wrap (the approach of RFC 3550 Appendix A.1).
// https://www.rfc-editor.org/rfc/rfc3550#section-5.1

// Each value is placed relative to the previous one: a step of less than half the range
// backwards is reordering (a negative delta), not a wrap forwards.
function createUnwrapper(bits: number): (value: number) => number {
  const range = 2 ** bits;
  const half = range / 2;
  let last: number | undefined;
  let lastExtended = 0;
  return (value) => {
    if (!Number.isInteger(value) || value < 0 || value >= range) {
      throw new RangeError(`Expected a ${bits}-bit unsigned integer, got \`${value}\`.`);
    }
    if (last === undefined) {
      last = value;
      lastExtended = value;
      return value;
    }
    let delta = value - last;
    if (delta >= half) delta -= range;
    else if (delta < -half) delta += range;
    last = value;
    lastExtended += delta;
    return lastExtended;
  };
}

// RTP timestamps of one stream, unwrapped so deltas and clock fits survive 2^32.
export function createRtpUnwrapper(): (ts32: number) => number {
  return createUnwrapper(32);
}

// RTP sequence numbers of one stream, unwrapped so loss and reordering survive 2^16.
export function createSequenceUnwrapper(): (seq16: number) => number {
  return createUnwrapper(16);
}
