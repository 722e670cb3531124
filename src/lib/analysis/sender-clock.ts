import { fitLine, type LinearFit } from "./linear-fit.js";
import { createRtpUnwrapper } from "./rtp-unwrap.js";

// The fields of an SR the mapping needs, NTP already decoded by unixMsFromNtp.
export interface SenderReportInput {
  /** SR NTP timestamp as unix ms (see unixMsFromNtp). */
  ntpMs: number;
  /** SR RTP timestamp, 32-bit as on the wire. */
  rtpTs: number;
  arrivalMs: number;
}

// An SR as kept for the mapping and for result.json.
export interface SenderReportPoint {
  ntpMs: number;
  /** Extended (unwrapped) RTP timestamp, in this clock's unwrap space. */
  rtpTicks: number;
  arrivalMs: number;
}

// SRs must span this long before their fitted rate replaces the nominal one for mapping.
const minFittedSpanS = 10;

// RFC 3550 §6.4.1: each Sender Report pairs the sender's NTP wall clock with the RTP timestamp
// of the same instant; that pairing places every frame of the stream on the sender's clock,
// which is what a syncing receiver (libwebrtc) aligns audio and video on.
// https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1
export class SenderClock {
  readonly clockRateHz: number;
  /** Packets must be unwrapped with this too, so they share the SRs' extended timestamp space. */
  readonly unwrap: (ts32: number) => number = createRtpUnwrapper();
  private readonly reports: SenderReportPoint[] = [];
  private fit: LinearFit | null | undefined;
  private mapFit: LinearFit | null | undefined;

  constructor(clockRateHz: number) {
    if (!(clockRateHz > 0) || !Number.isFinite(clockRateHz)) {
      throw new RangeError(`Expected a positive RTP clock rate in Hz, got \`${clockRateHz}\`.`);
    }
    this.clockRateHz = clockRateHz;
  }

  // Each SR received refines the mapping.
  addSenderReport(sr: SenderReportInput): void {
    if (!Number.isFinite(sr.ntpMs) || !Number.isFinite(sr.arrivalMs)) {
      throw new RangeError(`Expected finite SR times, got ntpMs \`${sr.ntpMs}\`, arrivalMs \`${sr.arrivalMs}\`.`);
    }
    this.reports.push({ ntpMs: sr.ntpMs, rtpTicks: this.unwrap(sr.rtpTs), arrivalMs: sr.arrivalMs });
    this.fit = undefined;
    this.mapFit = undefined;
  }

  // Sender-clock time of an extended RTP timestamp; null before any SR, as there is no mapping yet.
  // With two or more SRs a least-squares line over all of them absorbs SR jitter and clock
  // drift; with one, the nominal clock rate extends it.
  toSenderMs(rtpTsExtended: number): number | null {
    if (this.reports.length === 0) return null;
    const fit = this.mappingFit();
    if (fit) return fit.yMean + (rtpTsExtended - fit.xMean) * fit.slope;
    const nearest = this.reports.reduce((best, r) =>
      Math.abs(r.rtpTicks - rtpTsExtended) < Math.abs(best.rtpTicks - rtpTsExtended) ? r : best,
    );
    return nearest.ntpMs + ((rtpTsExtended - nearest.rtpTicks) * 1000) / this.clockRateHz;
  }

  // How fast the RTP clock runs against the sender's NTP clock, in ppm (positive = RTP fast);
  // null until two SRs with different RTP timestamps exist.
  ntpDriftPpm(): number | null {
    const fit = this.currentFit();
    if (!fit) return null;
    const ticksPerMs = 1 / fit.slope;
    return (ticksPerMs / (this.clockRateHz / 1000) - 1) * 1e6;
  }

  // The raw SR series, so reports can redraw the mapping.
  senderReports(): SenderReportPoint[] {
    return this.reports.map((r) => ({ ...r }));
  }

  // Over a short span a fitted rate is mostly SR jitter: senders that stamp an SR with the wall
  // clock at sending (aiortc) jitter by milliseconds, so 3 s of SRs leave the slope ~1000 ppm
  // uncertain, while a real clock is within ~100 ppm (≤ 1 ms over 10 s). Until the SRs span
  // minFittedSpanS the mapping keeps the nominal rate.
  private mappingFit(): LinearFit | null {
    if (this.mapFit !== undefined) return this.mapFit;
    const ticks = this.reports.map((r) => r.rtpTicks);
    const spanS = this.reports.length < 2 ? 0 : (ticks.reduce((a, b) => Math.max(a, b)) - ticks.reduce((a, b) => Math.min(a, b))) / this.clockRateHz;
    if (this.reports.length < 2 || spanS >= minFittedSpanS) {
      this.mapFit = this.currentFit();
    } else {
      // Through the SR least late against its RTP time: a sender stamping NTP when it sends is
      // only ever late (pacing, encoding), so the lower envelope is the schedule.
      const slope = 1000 / this.clockRateHz;
      const earliest = this.reports.reduce((best, r) => (r.ntpMs - r.rtpTicks * slope < best.ntpMs - best.rtpTicks * slope ? r : best));
      this.mapFit = { xMean: earliest.rtpTicks, yMean: earliest.ntpMs, slope };
    }
    return this.mapFit;
  }

  private currentFit(): LinearFit | null {
    if (this.fit === undefined) {
      const fit = fitLine(
        this.reports.map((r) => r.rtpTicks),
        this.reports.map((r) => r.ntpMs),
      );
      // A clock that does not move forward is a broken SR series, not a rate: fall back to nominal.
      this.fit = fit && fit.slope > 0 ? fit : null;
    }
    return this.fit;
  }
}
