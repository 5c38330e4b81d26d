import type { CatalogAttendee, CatalogEvent } from '../catalog/catalog.types';

/** Who is calling, set on the request by a guard and read with @Principal(). */
export interface AttendeePrincipal {
  kind: 'attendee';
  attendee: CatalogAttendee;
  event: CatalogEvent;
}

export interface AdminPrincipal {
  kind: 'admin';
  /** How the admin proved who they are; Entra sign-in adds another method. */
  method: 'admin-token';
}

export type Principal = AttendeePrincipal | AdminPrincipal;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
