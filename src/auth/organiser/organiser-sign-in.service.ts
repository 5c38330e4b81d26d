import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { baseUrlOf } from '../../common/http/base-url';
import { DomainError } from '../../common/errors/domain-error';
import { AppConfig } from '../../config/app-config';
import type { Principal } from '../principal';
import type { CallbackQuery } from './dto/organiser.schemas';
import { EntraService } from './entra.service';
import { OrganisersService } from './organisers.service';
import { clearAttempt, clearSession, readAttempt, writeAttempt, writeSession } from './session-cookies';

const CALLBACK_PATH = '/api/v1/auth/callback';

/** Only a path on this site: an absolute or protocol-relative URL would make sign-in an open redirect. */
function safeReturnTo(value: string | undefined): string {
  return value && /^\/(?![/\\])/.test(value) ? value : '/';
}

function withError(path: string, code: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}signInError=${encodeURIComponent(code)}`;
}

/** The browser side of organiser sign-in: redirects, the attempt cookie, and the session cookie. */
@Injectable()
export class OrganiserSignInService {
  private readonly logger = new Logger(OrganiserSignInService.name);

  constructor(
    private readonly entra: EntraService,
    private readonly organisers: OrganisersService,
    private readonly config: AppConfig,
  ) {}

  info() {
    return { entra: { enabled: this.entra.enabled, signIn: this.entra.canSignIn } };
  }

  async begin(request: FastifyRequest, reply: FastifyReply, returnTo: string | undefined): Promise<string> {
    const redirectUri = this.config.entra?.redirectUrl ?? `${baseUrlOf(request, this.config)}${CALLBACK_PATH}`;
    const { url, attempt } = await this.entra.beginSignIn(redirectUri, safeReturnTo(returnTo));
    writeAttempt(reply, this.config, attempt);
    return url;
  }

  /** Always answers with a redirect to the portal, signed in or with `signInError`. */
  async complete(request: FastifyRequest, reply: FastifyReply, query: CallbackQuery): Promise<string> {
    const attempt = readAttempt(request, this.config);
    clearAttempt(reply, this.config);
    if (!attempt) return withError('/', 'expired');
    if (query.error || !query.code || !query.state) {
      if (query.error) this.logger.warn(`Entra ID refused the sign-in: ${query.error}`);
      return withError(attempt.returnTo, query.error === 'access_denied' ? 'denied' : 'failed');
    }
    try {
      const identity = await this.entra.completeSignIn(query.code, query.state, attempt);
      writeSession(reply, this.config, await this.organisers.signIn(identity));
      return attempt.returnTo;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return withError(attempt.returnTo, 'failed');
    }
  }

  signOut(reply: FastifyReply): void {
    clearSession(reply, this.config);
  }

  me(principal: Principal | undefined) {
    if (principal?.kind !== 'admin') throw new Error('/auth/me reached without an admin principal');
    return { method: principal.method, role: principal.role, organiser: principal.organiser ?? null };
  }
}
