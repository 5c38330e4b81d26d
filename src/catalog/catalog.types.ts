import type { RegistrationMode } from '../events/event.entity';
import type { ModelClass, UpstreamKind } from '../resources/resource.types';

/** Read-only, in-memory views used on the hot path; no TypeORM entity leaves the catalog. */
export interface CatalogEvent {
  id: string;
  name: string;
  description: string;
  organizerName: string;
  organizerEmail: string;
  eventUrl: string | null;
  imageUrl: string | null;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  maxTokenCap: number;
  dailyRequestCap: number;
  /** Realtime sessions one attendee may hold open at once. */
  maxRealtimeSessions: number;
  maxRealtimeSessionSeconds: number;
  /** Token budgets, null meaning unlimited. */
  tokenLimits: TokenLimits;
  active: boolean;
  registrationMode: RegistrationMode;
  /** The shared code of a `code`-mode event: keys `<eventId>@<code>/<who>` register on first use. */
  registrationCode: string | null;
  modelAliases: Record<string, string>;
}

export interface TokenLimits {
  attendeePerMinute: number | null;
  attendeePerDay: number | null;
  eventPerMinute: number | null;
  eventPerDay: number | null;
}

export interface CatalogResource {
  id: string;
  name: string;
  deploymentName: string;
  modelClass: ModelClass;
  upstream: UpstreamKind;
  /** Empty for the built-in simulator. */
  endpointUrl: string;
  /** Decrypted; only ever sent to the upstream. */
  apiKey: string | null;
  apiVersion: string | null;
  modelName: string | null;
  priority: number;
  weight: number;
  tokensPerMinute: number | null;
  requestsPerMinute: number | null;
  active: boolean;
}

export interface CatalogAttendee {
  id: string;
  eventId: string;
  name: string;
  email: string;
  keyHash: string;
  active: boolean;
}

export interface CatalogSnapshot {
  version: number;
  events: Map<string, CatalogEvent>;
  resources: Map<string, CatalogResource>;
  /** eventId → deploymentName → active resources serving it. */
  deployments: Map<string, Map<string, CatalogResource[]>>;
  attendeesByHash: Map<string, CatalogAttendee>;
}
