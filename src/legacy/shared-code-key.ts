import { timingSafeEqual } from 'node:crypto';

/**
 * Azure AI Proxy's shared-code keys: `<eventId>@<sharedCode>/<who>`, where `who` is an email or any 8+
 * characters. One code handed out in a workshop room gives every attendee a key of their own.
 */
export interface SharedCodeKey {
  eventId: string;
  /** Everything after the `@`: the code, a slash, and who. Split only once the event's code is known. */
  rest: string;
}

const EVENT_ID = /^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MIN_SUFFIX = 8;
/** The attendee's email column holds the suffix. */
export const MAX_SUFFIX = 320;

/** The event a key names, if it has the shared-code form; says nothing about whether the code is right. */
export function parseSharedCodeKey(key: string): SharedCodeKey | undefined {
  const at = key.indexOf('@');
  if (at < 3) return undefined;
  const eventId = key.slice(0, at);
  if (!EVENT_ID.test(eventId)) return undefined;
  return { eventId, rest: key.slice(at + 1) };
}

/**
 * The suffix after `<code>/` when `rest` starts with the event's code and a slash, compared in constant
 * time (for a given code length); undefined for a wrong code.
 */
export function matchSharedCode(rest: string, code: string): string | undefined {
  const expected = Buffer.from(`${code}/`, 'utf8');
  const given = Buffer.from(rest, 'utf8');
  // Compare equal lengths always, so a short guess costs as long as a long one.
  const head = Buffer.alloc(expected.length);
  given.copy(head, 0, 0, expected.length);
  const same = timingSafeEqual(head, expected) && given.length >= expected.length;
  return same ? given.subarray(expected.length).toString('utf8') : undefined;
}

/** Whether the part after the code may name an attendee: an email, or at least 8 characters. */
export function validSuffix(suffix: string): boolean {
  if (suffix.length > MAX_SUFFIX || suffix.trim() !== suffix || [...suffix].some((c) => c.charCodeAt(0) < 0x20)) return false;
  return suffix.length >= MIN_SUFFIX || EMAIL.test(suffix);
}

export function isEmail(suffix: string): boolean {
  return EMAIL.test(suffix);
}
