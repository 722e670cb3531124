/**
 * Trickle ICE over WHEP/WHIP (RFC 9725 §4.3): candidates travel in `PATCH` requests as
 * `application/trickle-ice-sdpfrag` (RFC 8840 §4.4) instead of inside the offer. avsync gathers
 * before it offers, so it sends the offer without candidates and all of them in one fragment; a
 * server that answers the PATCH with its own fragment gets its candidates into the answer.
 */
export const trickleContentType = "application/trickle-ice-sdpfrag";

const candidateLine = /^a=(candidate:.*|end-of-candidates)$/;

/** The SDP without its candidate lines: what a trickling client offers. */
export function withoutCandidates(sdp: string): string {
  return splitLines(sdp).filter((line) => !candidateLine.test(line)).join("\r\n") + "\r\n";
}

/**
 * The offer's candidates as one fragment: ICE credentials, the first media section that carries
 * candidates (with BUNDLE it is the one transport), its mid, the candidates, end-of-candidates.
 */
export function candidateFragment(sdp: string): string {
  const lines = splitLines(sdp);
  const sections = mediaSections(lines);
  const section = sections.find((s) => s.some((line) => line.startsWith("a=candidate:"))) ?? sections[0] ?? [];
  const pick = (prefix: string): string | undefined => section.find((line) => line.startsWith(prefix)) ?? lines.find((line) => line.startsWith(prefix));
  const mLine = section[0] ?? "m=audio 9 UDP/TLS/RTP/SAVPF 0";
  return [
    pick("a=ice-ufrag:"),
    pick("a=ice-pwd:"),
    `${mLine.split(" ").slice(0, 3).join(" ")} 0`,
    pick("a=mid:"),
    ...section.filter((line) => line.startsWith("a=candidate:")),
    "a=end-of-candidates",
  ]
    .filter((line): line is string => line !== undefined)
    .join("\r\n") + "\r\n";
}

/**
 * The offer's candidates one by one, as a browser's `onicecandidate` hands them out
 * (`candidate:…` with its media section's mid and index): what JSON trickle carries
 * (Pipecat's `PATCH /api/offer {pc_id, candidates:[{candidate, sdp_mid, sdp_mline_index}]}`).
 */
export function offerCandidates(sdp: string): { candidate: string; sdp_mid: string; sdp_mline_index: number }[] {
  return mediaSections(splitLines(sdp)).flatMap((section, index) => {
    const mid = section.find((line) => line.startsWith("a=mid:"))?.slice("a=mid:".length) ?? String(index);
    return section.filter((line) => line.startsWith("a=candidate:")).map((line) => ({ candidate: line.slice(2), sdp_mid: mid, sdp_mline_index: index }));
  });
}

/** The candidate lines of a fragment a server sent back (`a=candidate:…`), in order. */
export function fragmentCandidates(fragment: string): string[] {
  return splitLines(fragment).filter((line) => line.startsWith("a=candidate:"));
}

/** The answer with the server's trickled candidates added to its first media section (the BUNDLE transport). */
export function addCandidates(sdp: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return sdp;
  const lines = splitLines(sdp);
  const first = lines.findIndex((line) => line.startsWith("m="));
  if (first < 0) return sdp;
  const next = lines.findIndex((line, i) => i > first && line.startsWith("m="));
  const at = next < 0 ? lines.length : next;
  return [...lines.slice(0, at), ...candidates, "a=end-of-candidates", ...lines.slice(at)].join("\r\n") + "\r\n";
}

function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line) => line.length > 0);
}

function mediaSections(lines: string[]): string[][] {
  const sections: string[][] = [];
  for (const line of lines) {
    if (line.startsWith("m=")) sections.push([line]);
    else sections.at(-1)?.push(line);
  }
  return sections;
}
