import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { EventsService } from '../../events/events.service';
import type { AttendeeSession, SignInFlow } from './attendee-session';
import { IdentityProviderError, type IdentityProvider } from './identity-provider';
import { IdentityProviders } from './identity-providers';

/** Why a sign-in came back without a session; the portal turns the code into words. */
export type SignInErrorCode = 'access_denied' | 'state_mismatch' | 'provider_error' | 'unavailable';

export interface CallbackQuery {
  code?: string;
  state?: string;
  error?: string;
}

/** The portal page of an event: where every sign-in ends. */
export function eventPage(eventId: string, error?: SignInErrorCode): string {
  return `/register/${encodeURIComponent(eventId)}${error ? `?signInError=${error}` : ''}`;
}

function sameText(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

/** The OAuth authorization-code flow (state + PKCE) for attendee sign-in, provider-agnostic. */
@Injectable()
export class AttendeeSignInService {
  private readonly logger = new Logger('AttendeeSignIn');

  constructor(
    private readonly providers: IdentityProviders,
    private readonly events: EventsService,
  ) {}

  /** Where to send the browser: the provider with a new flow, or back to the event page when sign-in is not set up. */
  async begin(providerId: string, eventId: string, baseUrl: string): Promise<{ location: string; flow?: SignInFlow }> {
    const configured = this.providers.get(providerId);
    if (!configured && IdentityProviders.KNOWN.includes(providerId)) {
      // A browser followed the page's button: tell the attendee there, not with a JSON body.
      const event = await this.events.require(eventId);
      if (event.registrationMode === providerId) {
        this.logger.error({ provider: providerId, eventId: event.id }, `Event '${event.id}' uses ${providerId} sign-in, which is not configured on this server`);
        return { location: eventPage(event.id, 'unavailable') };
      }
    }
    const provider = this.provider(providerId);
    const event = await this.events.require(eventId);
    if (event.registrationMode !== provider.id) {
      throw new DomainError(
        ErrorCode.RegistrationModeMismatch,
        `The event '${event.name}' does not use ${provider.displayName} sign-in; register with the form on its registration page.`,
      );
    }
    const codeVerifier = randomBytes(32).toString('base64url');
    const flow: SignInFlow = {
      provider: provider.id,
      eventId: event.id,
      state: randomBytes(32).toString('base64url'),
      codeVerifier,
      redirectUri: `${baseUrl}/api/v1/attendee/auth/${provider.id}/callback`,
    };
    const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
    return { location: provider.authorizationUrl({ state: flow.state, codeChallenge, redirectUri: flow.redirectUri }), flow };
  }

  /** Where to send the browser next, and the session when the provider vouched for someone. */
  async complete(providerId: string, query: CallbackQuery, flow: SignInFlow | undefined): Promise<{ location: string; session?: AttendeeSession }> {
    const provider = this.provider(providerId);
    if (!flow || flow.provider !== provider.id) {
      throw new DomainError(
        ErrorCode.SignInFailed,
        "This sign-in is not in progress in this browser: it took over 10 minutes or was started elsewhere. Start again from the event's registration page.",
      );
    }
    if (query.error) {
      this.logger.log({ provider: provider.id, eventId: flow.eventId, error: query.error.slice(0, 64) }, 'Attendee sign-in declined at the provider');
      return { location: eventPage(flow.eventId, query.error === 'access_denied' ? 'access_denied' : 'provider_error') };
    }
    if (!query.state || !sameText(query.state, flow.state)) {
      this.logger.warn({ provider: provider.id, eventId: flow.eventId }, 'Attendee sign-in callback with a state that does not match this browser');
      return { location: eventPage(flow.eventId, 'state_mismatch') };
    }
    if (!query.code) return { location: eventPage(flow.eventId, 'provider_error') };
    try {
      const identity = await provider.identify(query.code, flow.codeVerifier, flow.redirectUri);
      this.logger.log({ provider: identity.provider, subject: identity.subject, eventId: flow.eventId }, 'Attendee signed in');
      return { location: eventPage(flow.eventId), session: identity };
    } catch (err) {
      if (!(err instanceof IdentityProviderError)) throw err;
      this.logger.warn({ provider: provider.id, eventId: flow.eventId, reason: err.message }, 'Attendee sign-in failed at the provider');
      return { location: eventPage(flow.eventId, 'provider_error') };
    }
  }

  private provider(id: string): IdentityProvider {
    const provider = this.providers.get(id);
    if (!provider) {
      // A provider the product does not have at all is a wrong URL (404), not an outage (found by the fuzz suite).
      if (!IdentityProviders.KNOWN.includes(id)) throw new DomainError(ErrorCode.RouteNotFound, `There is no sign-in provider '${id.slice(0, 64)}'.`);
      throw new DomainError(ErrorCode.SignInUnavailable, `Sign-in with '${id}' is not configured on this server. Ask the event organiser.`);
    }
    return provider;
  }
}
