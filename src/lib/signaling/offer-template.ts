import { randomUUID } from "node:crypto";

/**
 * Placeholders an `--offer-field` value may hold, filled per probe session: fastrtc-based servers
 * (OpenAvatarChat, …) refuse a second viewer that sends the same `webrtc_id`, so each session sends
 * `webrtc_id={uuid}` afresh. `{session}` is the server's session id, known only after it answered,
 * so it has no place in the offer itself.
 */
const placeholder = /\{(uuid|index|session)\}/g;

/** What a session fills the placeholders with: its 0-based index on the ramp; `{uuid}` is drawn per session. */
export interface OfferSession {
  index: number;
}

/** Refuses a placeholder that cannot be filled before the server answers, quoting the field back. */
export function checkOfferFieldTemplate(key: string, value: unknown): void {
  for (const text of strings(value)) {
    if (/\{session\}/.test(text)) {
      throw new Error(`\`--offer-field ${key}=…\` holds \`{session}\`, the server's session id, which is known only after it answers; an offer field can use {uuid} (fresh per session) or {index}.`);
    }
  }
}

/** The offer fields as one session sends them: every `{uuid}` (one UUID per session) and `{index}` filled in, strings inside JSON values too. */
export function expandOfferFields(fields: Record<string, unknown>, session: OfferSession): Record<string, unknown> {
  let uuid: string | undefined;
  const fill = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(placeholder, (_, name: string) => (name === "index" ? String(session.index) : (uuid ??= randomUUID())));
    if (Array.isArray(value)) return value.map(fill);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
    return value;
  };
  return Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, fill(value)]));
}

function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(strings);
  return [];
}
