// Opus parameters the pattern encoder and the probe decoder must share.

// Samples the encoder delays its output by at 48 kHz (2.5 ms MDCT overlap + 4 ms
// look-ahead for application AUDIO). Measured with opusscript (libopus 1.4) at
// 64 kb/s: a cosine burst starting at input sample n first decodes above 30 % of
// its peak at output sample n + 312 (test/lib/media/opus-encode.test.ts).
export const opusLookaheadSamples = 312;
// Well above what a mono tone burst needs, so the burst's onset and pitch survive intact.
export const opusBitrateBps = 64000;
