/** The video codecs avsync receives and sends: what real digital-human servers stream. */
export const videoCodecNames = ["vp8", "h264", "vp9", "av1"] as const;
export type VideoCodecName = (typeof videoCodecNames)[number];

/** How the codec is written for people: `H.264`, `VP8` … */
export function videoCodecLabel(name: VideoCodecName): string {
  return name === "h264" ? "H.264" : name.toUpperCase();
}
