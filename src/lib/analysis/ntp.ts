// RFC 3550 §4: an NTP timestamp is 64-bit unsigned fixed point (32.32), seconds since
// 1900-01-01 00:00 UTC; the low word is the fraction of a second in units of 2^-32 s.
// https://www.rfc-editor.org/rfc/rfc3550#section-4
// werift builds the fraction from decimal digits and decodes it wrongly too (NOTES.md), so
// avsync does this arithmetic itself.

const UNIX_EPOCH_AS_NTP_S = 2_208_988_800;
const TWO_POW_32 = 2 ** 32;
const ERA_BIT = 2 ** 31;

// The two 32-bit words as they go on the wire.
export interface NtpTimestamp {
  msw: number;
  lsw: number;
}

// Senders need wire-exact SR timestamps from a unix-epoch clock.
export function ntpFromUnixMs(unixMs: number): NtpTimestamp {
  if (!Number.isFinite(unixMs)) throw new RangeError(`Expected a finite unix time in ms, got \`${unixMs}\`.`);
  let wholeS = Math.floor(unixMs / 1000);
  // Multiplying by 2^32 first keeps the only rounding in the final division.
  let lsw = Math.round(((unixMs - wholeS * 1000) * TWO_POW_32) / 1000);
  if (lsw === TWO_POW_32) {
    lsw = 0;
    wholeS += 1;
  }
  const msw = (((wholeS + UNIX_EPOCH_AS_NTP_S) % TWO_POW_32) + TWO_POW_32) % TWO_POW_32;
  return { msw, lsw };
}

// Receivers place SRs on the unix-epoch millisecond axis used by every other timestamp.
// RFC 4330 §3: a clear top bit means era 1 (from 2036-02-07), so SRs stay correct past 2036.
// https://www.rfc-editor.org/rfc/rfc4330#section-3
export function unixMsFromNtp(msw: number, lsw: number): number {
  checkWord("msw", msw);
  checkWord("lsw", lsw);
  const ntpS = msw >= ERA_BIT ? msw : msw + TWO_POW_32;
  // lsw × 1000 < 2^42 and the division is by a power of two, so the fraction is exact.
  return (ntpS - UNIX_EPOCH_AS_NTP_S) * 1000 + (lsw * 1000) / TWO_POW_32;
}

// Reception reports echo the middle 32 bits of the last SR's timestamp as LSR (RFC 3550 §6.4.1),
// which is how the sender measures round-trip time.
// https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
export function ntpToMiddle32(msw: number, lsw: number): number {
  checkWord("msw", msw);
  checkWord("lsw", lsw);
  return (((msw & 0xffff) << 16) | (lsw >>> 16)) >>> 0;
}

function checkWord(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= TWO_POW_32) {
    throw new RangeError(`Expected NTP \`${name}\` to be a 32-bit unsigned integer, got \`${value}\`.`);
  }
}
