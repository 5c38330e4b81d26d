import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { baseUrlOf } from '../../common/http/base-url';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { ADMINISTRATORS_ONLY, IS_PUBLIC } from '../decorators/auth.decorators';
import type { AdminPrincipal } from '../principal';
import { EntraService } from '../organiser/entra.service';
import { OrganisersService } from '../organiser/organisers.service';
import { readSession } from '../organiser/session-cookies';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard: every route is an admin route unless marked @Public() or @RequireEventKey().
 * Accepts ADMIN_TOKEN (administrator, for automation), an Entra ID bearer token, or the organiser
 * session cookie set by the sign-in flow.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly tokenDigest: Buffer | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly config: AppConfig,
    private readonly entra: EntraService,
    private readonly organisers: OrganisersService,
  ) {
    this.tokenDigest = config.secrets.adminToken ? digest(config.secrets.adminToken) : null;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.authenticate(request);
    if (principal.role !== 'administrator' && this.reflector.getAllAndOverride<boolean>(ADMINISTRATORS_ONLY, targets)) {
      throw new DomainError(ErrorCode.Forbidden, 'Only an administrator may use this route: it covers every event.');
    }
    request.principal = principal;
    return true;
  }

  private async authenticate(request: FastifyRequest): Promise<AdminPrincipal> {
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization?.trim() ?? '');
    if (match) {
      const token = match[1].trim();
      // Comparing digests keeps the comparison constant-time whatever the supplied length.
      if (this.tokenDigest && timingSafeEqual(digest(token), this.tokenDigest)) {
        return { kind: 'admin', method: 'admin-token', role: 'administrator' };
      }
      if (this.entra.enabled && JWT.test(token)) {
        const session = await this.organisers.signIn(await this.entra.verify(token));
        return this.organisers.principalOf(session, 'entra-token');
      }
      throw new DomainError(ErrorCode.AdminUnauthorized, 'The admin token is not valid.');
    }
    const session = this.entra.enabled ? readSession(request, this.config) : undefined;
    if (session) {
      this.refuseCrossSite(request);
      return this.organisers.principalOf(session, 'entra-session');
    }
    throw new DomainError(
      ErrorCode.AdminUnauthorized,
      this.entra.enabled
        ? 'Admin authentication required: sign in with Microsoft, or send "Authorization: Bearer <token>".'
        : 'Admin authentication required: send "Authorization: Bearer <ADMIN_TOKEN>".',
    );
  }

  /**
   * A cookie rides along on requests another site triggers. SameSite=Lax stops cross-site POSTs; this also
   * stops same-site ones (a sibling subdomain) by checking that a changing request comes from an allowed origin.
   */
  private refuseCrossSite(request: FastifyRequest): void {
    const origin = request.headers.origin;
    if (SAFE_METHODS.has(request.method) || !origin) return;
    const allowed = this.config.http.corsOrigins;
    if (origin === new URL(baseUrlOf(request, this.config)).origin || (allowed !== '*' && allowed.includes(origin))) return;
    throw new DomainError(ErrorCode.Forbidden, `Requests from ${origin} may not use the sign-in cookie.`);
  }
}
