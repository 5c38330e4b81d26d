import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../principal';

/**
 * What an admin-route caller may see. Services take it and repositories turn it into a WHERE clause, so a
 * row outside the scope is simply not found (404: ids of other organisers' events do not leak).
 */
export type AccessScope = { kind: 'everything' } | { kind: 'organiser'; organiserId: string };

/** Administrators, ADMIN_TOKEN and internal callers (the demo seeder). */
export const EVERYTHING: AccessScope = { kind: 'everything' };

export function scopeOf(principal: Principal | undefined): AccessScope {
  if (principal?.kind !== 'admin') throw new Error('An access scope was asked for on a route without an admin principal');
  if (principal.role === 'administrator') return EVERYTHING;
  if (!principal.organiser) throw new Error('An organiser principal without an organiser');
  return { kind: 'organiser', organiserId: principal.organiser.id };
}

/** The owner a new event or resource gets: none (administrators only) or the signed-in organiser. */
export function ownerFor(scope: AccessScope): string | null {
  return scope.kind === 'organiser' ? scope.organiserId : null;
}

/** The caller's access scope on an admin route. */
export const CurrentScope = createParamDecorator((_: unknown, ctx: ExecutionContext): AccessScope =>
  scopeOf(ctx.switchToHttp().getRequest<FastifyRequest>().principal),
);

/**
 * SQL condition: the event row `alias` is visible in `scope` (owner or co-organiser). Parameter names are
 * prefixed so the clause composes with a caller's own parameters.
 */
export function eventVisibleSql(alias: string, scope: AccessScope): { sql: string; params: Record<string, string> } {
  if (scope.kind === 'everything') return { sql: 'TRUE', params: {} };
  return {
    sql:
      `(${alias}.owner_id = :scopeOrganiserId OR EXISTS (SELECT 1 FROM event_organisers scope_eo ` +
      `WHERE scope_eo.event_id = ${alias}.id AND scope_eo.organiser_id = :scopeOrganiserId))`,
    params: { scopeOrganiserId: scope.organiserId },
  };
}

/** SQL condition: the resource row `alias` is visible in `scope` (resources are not shared: owner only). */
export function resourceVisibleSql(alias: string, scope: AccessScope): { sql: string; params: Record<string, string> } {
  if (scope.kind === 'everything') return { sql: 'TRUE', params: {} };
  return { sql: `${alias}.owner_id = :scopeOrganiserId`, params: { scopeOrganiserId: scope.organiserId } };
}
