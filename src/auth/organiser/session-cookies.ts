import '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/app-config';
import { seal, unseal } from './sealed-cookie';
import type { OrganiserSession } from './organisers.service';
import type { SignInAttempt } from './entra.service';

export const SESSION_COOKIE = 'aip_organiser';
const ATTEMPT_COOKIE = 'aip_organiser_signin';
const ATTEMPT_PATH = '/api/v1/auth';
const ATTEMPT_TTL_MS = 10 * 60_000;

function flags(config: AppConfig, path: string, maxAgeMs: number) {
  // Lax: the cookie rides along when Entra redirects back (a top-level GET), not on cross-site POSTs.
  return { path, httpOnly: true, sameSite: 'lax' as const, secure: config.env === 'production', maxAge: Math.floor(maxAgeMs / 1000) };
}

export function readSession(request: FastifyRequest, config: AppConfig): OrganiserSession | undefined {
  return unseal<OrganiserSession>(config.session.key, SESSION_COOKIE, request.cookies?.[SESSION_COOKIE]);
}

export function writeSession(reply: FastifyReply, config: AppConfig, session: OrganiserSession): void {
  reply.setCookie(SESSION_COOKIE, seal(config.session.key, SESSION_COOKIE, session, config.session.ttlMs), flags(config, '/', config.session.ttlMs));
}

export function clearSession(reply: FastifyReply, config: AppConfig): void {
  reply.clearCookie(SESSION_COOKIE, flags(config, '/', 0));
}

export function readAttempt(request: FastifyRequest, config: AppConfig): SignInAttempt | undefined {
  return unseal<SignInAttempt>(config.session.key, ATTEMPT_COOKIE, request.cookies?.[ATTEMPT_COOKIE]);
}

export function writeAttempt(reply: FastifyReply, config: AppConfig, attempt: SignInAttempt): void {
  reply.setCookie(ATTEMPT_COOKIE, seal(config.session.key, ATTEMPT_COOKIE, attempt, ATTEMPT_TTL_MS), flags(config, ATTEMPT_PATH, ATTEMPT_TTL_MS));
}

export function clearAttempt(reply: FastifyReply, config: AppConfig): void {
  reply.clearCookie(ATTEMPT_COOKIE, flags(config, ATTEMPT_PATH, 0));
}
