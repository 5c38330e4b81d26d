import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';
import { CookieSealer } from './cookie-sealer';

/** The signed-in attendee identity, sealed in a cookie: independent of any one event. */
export interface AttendeeSession {
  provider: string;
  subject: string;
  login: string;
  name: string;
  email: string;
}

/** A sign-in in progress between the login redirect and the provider's callback. */
export interface SignInFlow {
  provider: string;
  eventId: string;
  state: string;
  codeVerifier: string;
  redirectUri: string;
}

export const SESSION_COOKIE = 'aip_attendee_session';
export const FLOW_COOKIE = 'aip_attendee_flow';
/** Only the attendee routes need the session; nothing else (the proxy, admin routes) receives it. */
const SESSION_PATH = '/api/v1/attendee';
const FLOW_PATH = '/api/v1/attendee/auth';
const SESSION_MS = 12 * 3_600_000;
const FLOW_MS = 10 * 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    attendeeSession?: AttendeeSession;
  }
}

/**
 * Reads and writes the attendee's encrypted cookies. HttpOnly (no script reads them), SameSite=Lax (sent on
 * the provider's top-level redirect back, not on cross-site posts), Secure whenever we are served over https.
 */
@Injectable()
export class AttendeeSessionCookies {
  private readonly session: CookieSealer;
  private readonly flow: CookieSealer;

  constructor(private readonly config: AppConfig) {
    const { encryptionKey, previousEncryptionKeys } = config.secrets;
    this.session = new CookieSealer('attendee-session', encryptionKey, previousEncryptionKeys);
    this.flow = new CookieSealer('attendee-sign-in-flow', encryptionKey, previousEncryptionKeys);
  }

  read(request: FastifyRequest): AttendeeSession | undefined {
    return this.session.open<AttendeeSession>(request.cookies?.[SESSION_COOKIE]);
  }

  write(request: FastifyRequest, reply: FastifyReply, session: AttendeeSession, now = new Date()): void {
    const expires = new Date(now.getTime() + SESSION_MS);
    void reply.setCookie(SESSION_COOKIE, this.session.seal(session, expires), this.options(request, SESSION_PATH, expires));
  }

  clear(request: FastifyRequest, reply: FastifyReply): void {
    void reply.clearCookie(SESSION_COOKIE, this.options(request, SESSION_PATH));
  }

  writeFlow(request: FastifyRequest, reply: FastifyReply, flow: SignInFlow, now = new Date()): void {
    const expires = new Date(now.getTime() + FLOW_MS);
    void reply.setCookie(FLOW_COOKIE, this.flow.seal(flow, expires), this.options(request, FLOW_PATH, expires));
  }

  /** The flow in progress, consumed: a callback URL replayed later finds nothing. */
  takeFlow(request: FastifyRequest, reply: FastifyReply): SignInFlow | undefined {
    const flow = this.flow.open<SignInFlow>(request.cookies?.[FLOW_COOKIE]);
    if (request.cookies?.[FLOW_COOKIE] !== undefined) void reply.clearCookie(FLOW_COOKIE, this.options(request, FLOW_PATH));
    return flow;
  }

  private options(request: FastifyRequest, path: string, expires?: Date) {
    const secure = request.protocol === 'https' || !!this.config.http.publicUrl?.startsWith('https:');
    return { path, httpOnly: true, sameSite: 'lax' as const, secure, ...(expires ? { expires } : {}) };
  }
}
