import type { CatalogAttendee, CatalogEvent } from '../catalog/catalog.types';
import type { BudgetExhausted } from '../usage/daily-counters';
import { describeBudget } from './realtime.errors';

/** Why the proxy ends a live session; `code` is the realtime error event's `error.code` and the close reason. */
export interface SessionEnd {
  code: 'event_ended' | 'event_inactive' | 'event_not_started' | 'key_revoked' | 'session_expired' | 'token_limit_exceeded';
  message: string;
}

export interface SessionFacts {
  /** The event as the catalog holds it now; undefined once deleted. */
  event: CatalogEvent | undefined;
  /** The attendee behind the session's key now; undefined once the key was rotated or the attendee deleted. */
  attendee: CatalogAttendee | undefined;
  startedAt: number;
  now: number;
}

/**
 * The admission rules applied again to a session that is already open, plus its length limit. Pure, so
 * a periodic sweep can call it for every session cheaply.
 */
export function sessionVerdict({ event, attendee, startedAt, now }: SessionFacts): SessionEnd | undefined {
  if (!event) return { code: 'event_ended', message: 'The event of this session no longer exists; the session is closed.' };
  if (!attendee) {
    return { code: 'key_revoked', message: 'The API key of this session was replaced or removed by the event organiser; the session is closed.' };
  }
  if (!attendee.active) return { code: 'key_revoked', message: 'This API key has been revoked by the event organiser; the session is closed.' };
  if (!event.active) return { code: 'event_inactive', message: `The event '${event.name}' has been deactivated by its organiser; the session is closed.` };
  if (now >= event.endsAt.getTime()) {
    return { code: 'event_ended', message: `The event '${event.name}' ended at ${event.endsAt.toISOString()}; the session is closed.` };
  }
  if (now < event.startsAt.getTime()) {
    return { code: 'event_not_started', message: `The event '${event.name}' now starts at ${event.startsAt.toISOString()}; the session is closed.` };
  }
  const limitMs = event.maxRealtimeSessionSeconds * 1000;
  if (now - startedAt >= limitMs) {
    return {
      code: 'session_expired',
      message: `This realtime session reached the event's maximum length of ${formatSeconds(event.maxRealtimeSessionSeconds)}; open a new session to continue.`,
    };
  }
  return undefined;
}

/** The end of a session whose last response used up a token budget (the same code as the HTTP 429). */
export function tokenBudgetEnd(exhausted: BudgetExhausted, now: number): SessionEnd {
  const perDay = exhausted.limit.endsWith('per-day');
  return {
    code: 'token_limit_exceeded',
    message:
      `This session used up the ${describeBudget(exhausted)}: ${exhausted.used} tokens counted (each response's input + output); the session is closed. ` +
      `The budget frees at ${new Date(now + exhausted.retryAfterMs).toISOString()} (in ${Math.ceil(exhausted.retryAfterMs / 1000)} s${perDay ? ', when the day ends in the event time zone' : ''}).`,
  };
}

function formatSeconds(seconds: number): string {
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** The realtime `error` event the client receives before the proxy closes the session. */
export function sessionEndEvent(end: SessionEnd, eventId: string): Record<string, unknown> {
  return {
    type: 'error',
    event_id: eventId,
    // A used-up budget is a rate limit, as the HTTP routes' 429 says; every other end is a refusal.
    error: { type: end.code === 'token_limit_exceeded' ? 'rate_limit_error' : 'invalid_request_error', code: end.code, message: end.message, param: null, event_id: null },
  };
}
