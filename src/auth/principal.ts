import type { CatalogAttendee, CatalogEvent } from '../catalog/catalog.types';

/** Who is calling, set on the request by a guard and read with @Principal(). */
export interface AttendeePrincipal {
  kind: 'attendee';
  attendee: CatalogAttendee;
  event: CatalogEvent;
}

export interface AdminPrincipal {
  kind: 'admin';
  /** How the caller proved who they are: the automation token, an Entra bearer token, or the sign-in cookie. */
  method: 'admin-token' | 'entra-token' | 'entra-session';
  /** An administrator sees everything; an organiser only what they own or co-organise. */
  role: 'administrator' | 'organiser';
  /** The signed-in person (absent for ADMIN_TOKEN). */
  organiser?: { id: string; email: string; name: string };
}

export type Principal = AttendeePrincipal | AdminPrincipal;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}
