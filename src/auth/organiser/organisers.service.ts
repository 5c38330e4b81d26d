import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import { isUuid } from '../../common/validation/ids';
import type { AdminPrincipal } from '../principal';
import type { AccessScope } from './access-scope';
import type { EntraIdentity } from './entra.service';
import type { OrganiserEntity } from './organiser.entity';
import { OrganisersRepository } from './organisers.repository';

/** What the session cookie holds: enough to rebuild the principal without a database read. */
export interface OrganiserSession {
  organiserId: string;
  role: 'administrator' | 'organiser';
  email: string;
  name: string;
}

export interface CoOrganiserResponse {
  id: string;
  email: string;
  name: string;
  /** False until the person has signed in once. */
  signedIn: boolean;
}

const IDENTITY_CACHE_MS = 60_000;
const IDENTITY_CACHE_MAX = 5_000;

function toCoOrganiser(o: OrganiserEntity): CoOrganiserResponse {
  return { id: o.id, email: o.email, name: o.name, signedIn: o.oid !== null };
}

@Injectable()
export class OrganisersService {
  /** Bearer tokens arrive on every request; the organiser row behind an oid is read once a minute, not each time. */
  private readonly identities = new Map<string, { session: OrganiserSession; at: number }>();

  constructor(private readonly organisers: OrganisersRepository) {}

  /** Records (or refreshes) the organiser behind a verified Entra identity. */
  async signIn(identity: EntraIdentity): Promise<OrganiserSession> {
    const key = `${identity.tenantId}:${identity.oid}`;
    const cached = this.identities.get(key);
    if (cached && Date.now() - cached.at < IDENTITY_CACHE_MS && cached.session.role === identity.role) return cached.session;
    const row = await this.organisers.upsertIdentity(identity);
    const session: OrganiserSession = { organiserId: row.id, role: identity.role, email: row.email, name: row.name };
    if (this.identities.size >= IDENTITY_CACHE_MAX) this.identities.clear();
    this.identities.set(key, { session, at: Date.now() });
    return session;
  }

  principalOf(session: OrganiserSession, method: AdminPrincipal['method']): AdminPrincipal {
    return { kind: 'admin', method, role: session.role, organiser: { id: session.organiserId, email: session.email, name: session.name } };
  }

  /** Owner and administrators manage co-organisers; a co-organiser sees the list but may not change it. */
  private async requireEvent(eventId: string, scope: AccessScope, change: boolean): Promise<void> {
    const event = await this.organisers.visibleEventOwner(eventId, scope);
    if (!event) throw new DomainError(ErrorCode.EventNotFound, `Event '${eventId}' does not exist.`);
    if (change && scope.kind === 'organiser' && event.ownerId !== scope.organiserId) {
      throw new DomainError(ErrorCode.Forbidden, 'Only the event\'s owner or an administrator can change its co-organisers.');
    }
  }

  async listCoOrganisers(eventId: string, scope: AccessScope): Promise<CoOrganiserResponse[]> {
    await this.requireEvent(eventId, scope, false);
    return (await this.organisers.coOrganisersOf(eventId)).map(toCoOrganiser);
  }

  /** Shares an event by email; someone who has not signed in yet is invited and claims it at first sign-in. */
  async addCoOrganiser(eventId: string, email: string, scope: AccessScope): Promise<CoOrganiserResponse> {
    await this.requireEvent(eventId, scope, true);
    const organiser = (await this.organisers.findByEmail(email)) ?? (await this.organisers.insertInvitation(email.toLowerCase()));
    await this.organisers.addCoOrganiser(eventId, organiser.id);
    return toCoOrganiser(organiser);
  }

  async removeCoOrganiser(eventId: string, organiserId: string, scope: AccessScope): Promise<void> {
    await this.requireEvent(eventId, scope, true);
    if (!isUuid(organiserId) || !(await this.organisers.removeCoOrganiser(eventId, organiserId))) {
      throw new DomainError(ErrorCode.OrganiserNotFound, `Organiser '${organiserId}' is not a co-organiser of event '${eventId}'.`);
    }
  }
}
