import { applyDecorators, CanActivate, createParamDecorator, ExecutionContext, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiCookieAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { IS_PUBLIC } from '../decorators/auth.decorators';
import { AttendeeSession, AttendeeSessionCookies, SESSION_COOKIE } from './attendee-session';

/** Admits a request carrying a valid attendee sign-in cookie. Headers (x-ms-client-principal…) count for nothing. */
@Injectable()
export class AttendeeSessionGuard implements CanActivate {
  constructor(private readonly cookies: AttendeeSessionCookies) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const session = this.cookies.read(request);
    if (!session) {
      throw new DomainError(
        ErrorCode.AttendeeSignInRequired,
        "Sign in first: open the event's registration page and use its sign-in button (your session may have expired).",
      );
    }
    request.attendeeSession = session;
    return true;
  }
}

/** An attendee self-service route: needs the sign-in cookie, not the admin token. */
export const RequireAttendeeSession = () =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), UseGuards(AttendeeSessionGuard), ApiCookieAuth(SESSION_COOKIE));

export const SignedIn = createParamDecorator((_: unknown, ctx: ExecutionContext): AttendeeSession => {
  const session = ctx.switchToHttp().getRequest<FastifyRequest>().attendeeSession;
  if (!session) throw new Error('@SignedIn() used on a route without @RequireAttendeeSession()');
  return session;
});
