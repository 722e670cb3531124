import { Flags } from "@oclif/core";
import type { ContentMode } from "../probe/index.js";
import { parseHeaderFlags, parseOriginFlags, parseOfferFieldFlags, parseTargetUrl, type SignalingOptions, type SignalingTarget } from "../signaling/index.js";
import { numberFlag, ratePerSFlag } from "./flag-kinds.js";
import type { IceConfig, IceServer } from "../rtc/index.js";

// Flags that point `bench` at someone else's server instead of the embedded target (docs/targets.md).
export const targetFlags = {
  target: Flags.string({
    description:
      "Probe an external server that pushes A/V to its clients instead of starting the embedded target. The scheme names the signaling: ws://host:port/path (WebSocket JSON), http://host:port/offer (POST {sdp,type} JSON), whep+http://host:port/path (WHEP).",
  }),
  push: Flags.string({
    dependsOn: ["target"],
    description:
      "Publish avsync's test pattern with WHIP to this relay endpoint (http:// or whip+http://) and subscribe to it through --target (WHEP), so a media server in the path is measured end to end.",
  }),
  header: Flags.string({
    multiple: true,
    description:
      "A header sent with every signaling request, as `Name: value` (repeatable), e.g. `Authorization: Bearer …`. Headers go only to the target's own origin (scheme, host and port): a redirect or WHEP `Location` elsewhere is refused unless --allow-redirect names it.",
  }),
  "allow-redirect": Flags.string({
    multiple: true,
    description:
      "Another origin (e.g. http://127.0.0.1:9000) that a 307/308 redirect of the offer or a WHEP/WHIP `Location` may lead to; avsync goes there without any --header. Repeatable.",
  }),
  "media-timeout": numberFlag({ min: 0.5, max: 300 })({
    default: 3,
    description:
      "Seconds a probe session's audio or video may stay silent (or not start after connecting) before the session ends as failed; a run with a failed session is incomplete (exit 2), whatever the gate says.",
  }),
  "offer-field": Flags.string({
    multiple: true,
    description:
      "An extra field in the JSON offer, as `key=value` (repeatable); values that read as JSON (numbers, true) are sent as such. `{uuid}` in a value becomes a fresh UUID per session and `{index}` the session's index, e.g. `webrtc_id={uuid}` for fastrtc-based servers.",
  }),
  "signaling-flow": Flags.option({
    options: ["offer", "answer"] as const,
    dependsOn: ["target"],
    description:
      "Who makes the offer: `offer` (the default: avsync offers, the target answers) or `answer` (the server offers, as D-ID Streams does: avsync POSTs the --offer-field JSON to --target, reads `{offer, ice_servers, id, session_id}`, and POSTs `{answer, session_id}` to --answer-url). http(s) targets only.",
  })(),
  "answer-url": Flags.string({
    dependsOn: ["target"],
    description:
      "With --signaling-flow answer: where avsync POSTs its answer; `{session}` becomes the server's session id, e.g. http://host/talks/streams/{session}/sdp. The target's origin (with --header) or one --allow-redirect names (without).",
  }),
  trickle: Flags.boolean({
    dependsOn: ["target"],
    description:
      "Trickle ICE: offer without candidates and send them after the answer. WHEP targets: a PATCH to the session resource as application/trickle-ice-sdpfrag (RFC 9725 §4.3), candidates the server answers with join its answer. http(s) JSON targets: a PATCH to the offer URL with `{pc_id, candidates:[{candidate, sdp_mid, sdp_mline_index}]}` (Pipecat SmallWebRTC; --session-id-field renames pc_id). For servers that complete ICE only with trickled candidates.",
  }),
  "session-id-field": Flags.string({
    dependsOn: ["target"],
    description:
      "The field of the JSON answer that names the session (or, if the answer has none, the offer field that did). Default: the answer's sessionid, session_id, sessionId, pc_id, webrtc_id or id, else the offer's webrtc_id or pc_id.",
  }),
  "ice-server": Flags.string({
    multiple: true,
    dependsOn: ["target"],
    description:
      "A STUN or TURN server for the probe's ICE, as `stun:host:port`, `turn:user:pass@host:port?transport=udp|tcp` or `turns:user:pass@host:port` (one of each kind; repeatable). With it, or with a --target that is not on this host's loopback, the probe gathers host candidates on every interface instead of 127.0.0.1 only.",
  }),
  "ice-transport": Flags.option({
    options: ["all", "relay"] as const,
    dependsOn: ["target"],
    description: "Which candidate pairs the probe may use: `all` (the default), or `relay` only (media provably through the --ice-server TURN relay).",
  })(),
  sessions: Flags.integer({ default: 1, min: 1, max: 200, description: "Probe sessions to open against the target, each measured on its own." }),
  ramp: ratePerSFlag({ min: 0.01, max: 1000 })({ default: 10, description: "Sessions started per second, e.g. `5` or `5/s`." }),
  "signaling-timeout": numberFlag({ min: 0.1, max: 300 })({ default: 10, description: "Seconds to wait for the target's answer and for the connection to come up." }),
  content: Flags.option({
    options: ["auto", "indexed", "flash-beep", "none"] as const,
    default: "auto" as const,
    description:
      "Which markers to look for in the received media: avsync's indexed pattern, the common beep/flash sync clip (one white flash and one tone burst per --marker-period, no index), none, or auto (indexed, else beep/flash).",
  })(),
};

/** What the target flags ask of runBench. */
export interface TargetConfig {
  target?: SignalingTarget;
  /** Set when --ice-server or --ice-transport relay asked for more than the default (runBench decides the default from the target's host). */
  ice?: IceConfig;
  push?: SignalingTarget;
  signaling: Pick<SignalingOptions, "headers" | "offerFields" | "allowedOrigins" | "sessionIdField" | "answerUrl" | "trickle">;
  signalingTimeoutMs: number;
  mediaTimeoutMs: number;
  sessions: number;
  rampPerS: number;
  content: ContentMode;
}

/** Turns the target flags into validated options, quoting any bad value back. */
export function targetConfigFromFlags(flags: {
  target?: string;
  push?: string;
  header?: string[];
  "offer-field"?: string[];
  "session-id-field"?: string;
  "signaling-flow"?: "offer" | "answer";
  trickle?: boolean;
  "answer-url"?: string;
  "allow-redirect"?: string[];
  "media-timeout": number;
  sessions: number;
  ramp: number;
  "signaling-timeout": number;
  content: ContentMode;
  "ice-server"?: string[];
  "ice-transport"?: "all" | "relay";
}): TargetConfig {
  const target = flags.target === undefined ? undefined : parseTargetUrl(flags.target, "target");
  if (target?.kind === "whip") throw new Error(`Expected \`--target\` to be where avsync receives (ws://, http://…/offer, whep+http://), got the WHIP URL \`${flags.target}\`; publish with --push.`);
  let push: SignalingTarget | undefined;
  if (flags.push !== undefined) {
    const parsed = parseTargetUrl(flags.push, "push");
    if (parsed.kind !== "whip" && parsed.kind !== "http-offer") throw new Error(`Expected \`--push\` to be a WHIP endpoint (http(s):// or whip+http(s)://), got \`${flags.push}\`.`);
    if (target?.kind !== "whep") throw new Error(`Expected \`--target\` to be a WHEP endpoint (whep+http://…) when publishing with --push, got \`${flags.target}\`.`);
    push = { kind: "whip", url: parsed.url };
  }
  if (flags.trickle && target?.kind !== "whep" && target?.kind !== "http-offer") {
    throw new Error(`\`--trickle\` sends candidates in a PATCH (WHEP, or Pipecat's JSON): it needs a whep+http(s):// or http(s):// target, got \`--target ${flags.target}\`.`);
  }
  if (flags.trickle && flags["signaling-flow"] === "answer") throw new Error("`--trickle` trickles the offer's candidates; with `--signaling-flow answer` the server makes the offer.");
  const answerUrl = parseSignalingFlow(flags["signaling-flow"] ?? "offer", flags["answer-url"], target);
  const servers = parseIceServerFlags(flags["ice-server"] ?? []);
  const transport = flags["ice-transport"] ?? "all";
  if (transport === "relay" && !servers.some((server) => /^turns?:/.test(server.urls))) {
    throw new Error("`--ice-transport relay` needs a TURN server: add `--ice-server turn:user:pass@host:port`.");
  }
  return {
    target,
    ...(servers.length > 0 || transport === "relay" ? { ice: { scope: "network" as const, servers, transport } } : {}),
    push,
    signaling: {
      headers: parseHeaderFlags(flags.header ?? []),
      offerFields: parseOfferFieldFlags(flags["offer-field"] ?? []),
      allowedOrigins: parseOriginFlags(flags["allow-redirect"] ?? [], "allow-redirect"),
      ...(flags["session-id-field"] !== undefined ? { sessionIdField: parseSessionIdField(flags["session-id-field"]) } : {}),
      ...(answerUrl !== undefined ? { answerUrl } : {}),
      ...(flags.trickle ? { trickle: true } : {}),
    },
    signalingTimeoutMs: flags["signaling-timeout"] * 1000,
    mediaTimeoutMs: flags["media-timeout"] * 1000,
    sessions: flags.sessions,
    rampPerS: flags.ramp,
    content: flags.content,
  };
}

// --signaling-flow answer needs an http(s) target to ask for the offer and an http(s) URL for the answer.
function parseSignalingFlow(flow: "offer" | "answer", answerUrl: string | undefined, target: SignalingTarget | undefined): string | undefined {
  if (flow === "offer") {
    if (answerUrl !== undefined) throw new Error("`--answer-url` is where the answer goes when the server makes the offer: add `--signaling-flow answer`.");
    return undefined;
  }
  if (target?.kind !== "http-offer") throw new Error(`\`--signaling-flow answer\` asks an http(s):// target for its offer, got \`--target ${target?.url ?? ""}\`.`);
  if (answerUrl === undefined) throw new Error("`--signaling-flow answer` needs `--answer-url`, where avsync POSTs its answer (e.g. http://host/talks/streams/{session}/sdp).");
  let url: URL | undefined;
  try {
    url = new URL(answerUrl.replaceAll("{session}", "session"), target.url);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) throw new Error(`Expected \`--answer-url\` to be an http(s) URL, \`{session}\` where the server's session id goes, got \`${answerUrl}\`.`);
  return answerUrl;
}

/** A JSON key: the field that names the session, quoted back when it is empty or not a plain name. */
function parseSessionIdField(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(value)) throw new Error(`Expected \`--session-id-field\` to be a JSON field name such as webrtc_id, got \`${value}\`.`);
  return value;
}

/**
 * Parses --ice-server values into werift's ICE servers, quoting a bad one back: `stun:host:port`,
 * `turn:user:pass@host:port[?transport=udp|tcp]`, `turns:user:pass@host:port`. werift uses the first
 * STUN and the first TURN server only, so a second of a kind is refused rather than ignored.
 */
export function parseIceServerFlags(values: string[]): IceServer[] {
  const servers: IceServer[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    const match = /^(stun|turns?):(?:([^:@\/]+):([^@\/]+)@)?(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})(\?transport=(udp|tcp))?$/.exec(value.trim());
    if (!match) {
      throw new Error(`Expected \`--ice-server\` as stun:host:port, turn:user:pass@host:port[?transport=udp|tcp] or turns:user:pass@host:port, got \`${value}\`.`);
    }
    const [, scheme, username, credential, host, port, query, transport] = match;
    const kind = scheme === "stun" ? "stun" : "turn";
    if (kind === "stun" && username !== undefined) throw new Error(`A STUN server takes no user and password: \`--ice-server ${value}\`.`);
    if (kind === "turn" && username === undefined) throw new Error(`A TURN server needs user:pass@ before its host: \`--ice-server ${value}\`.`);
    if (scheme === "turns" && transport === "udp") throw new Error(`TURN over TLS runs over TCP: drop \`?transport=udp\` from \`--ice-server ${value}\`.`);
    if (Number(port) < 1 || Number(port) > 65535) throw new Error(`Expected a port 1–65535 in \`--ice-server ${value}\`.`);
    if (seen.has(kind)) throw new Error(`Only one ${kind.toUpperCase()} server is used (werift takes the first of each kind): \`--ice-server ${value}\` is a second.`);
    seen.add(kind);
    servers.push({ urls: `${scheme}:${host}:${port}${query ?? ""}`, ...(username === undefined ? {} : { username, credential: credential! }) });
  }
  return servers;
}
