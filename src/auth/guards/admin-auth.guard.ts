import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { AppConfig } from '../../config/app-config';
import { IS_PUBLIC } from '../decorators/auth.decorators';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/**
 * Global guard: every route is an admin route unless marked @Public() or @RequireEventKey().
 * Today it accepts the static ADMIN_TOKEN; an Entra ID authenticator slots in beside it.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly tokenDigest: Buffer;

  constructor(
    private readonly reflector: Reflector,
    config: AppConfig,
  ) {
    this.tokenDigest = digest(config.secrets.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization?.trim() ?? '');
    if (!match) {
      throw new DomainError(ErrorCode.AdminUnauthorized, 'Admin authentication required: send "Authorization: Bearer <ADMIN_TOKEN>".');
    }
    // Comparing digests keeps the comparison constant-time whatever the supplied length.
    if (!timingSafeEqual(digest(match[1].trim()), this.tokenDigest)) {
      throw new DomainError(ErrorCode.AdminUnauthorized, 'The admin token is not valid.');
    }
    request.principal = { kind: 'admin', method: 'admin-token' };
    return true;
  }
}
