import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AttendeesService } from '../attendees/attendees.service';
import { EVERYTHING } from '../auth/organiser/access-scope';
import { hashApiKey } from '../attendees/api-key';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { AppConfig } from '../config/app-config';
import { EventsService } from '../events/events.service';
import type { ModelClass } from '../resources/resource.types';
import { ResourcesService } from '../resources/resources.service';

export const DEMO_EVENT_ID = 'demo';
const DEMO_EMAIL = 'demo-attendee@example.com';
const DAY = 86_400_000;

const DEMO_DEPLOYMENTS: { deploymentName: string; modelClass: ModelClass; name: string }[] = [
  { deploymentName: 'gpt-4o-mini', modelClass: 'openai-chat', name: 'Demo chat (simulated)' },
  { deploymentName: 'text-embedding-3-small', modelClass: 'openai-embeddings', name: 'Demo embeddings (simulated)' },
  { deploymentName: 'dall-e-3', modelClass: 'openai-dall-e-3', name: 'Demo images (simulated)' },
  { deploymentName: 'gpt-35-turbo-instruct', modelClass: 'openai-completions', name: 'Demo completions (simulated)' },
  { deploymentName: 'gpt-realtime', modelClass: 'openai-realtime', name: 'Demo realtime (simulated)' },
];

export interface DemoSetup {
  eventId: string;
  attendeeKey: string;
  deployments: string[];
}

/**
 * `npm start` should do something at once: a live demo event with simulated deployments and an
 * attendee key. Idempotent across restarts; the key is kept in DATA_DIR so it stays the same.
 */
@Injectable()
export class DemoSeeder {
  private readonly logger = new Logger(DemoSeeder.name);

  constructor(
    private readonly events: EventsService,
    private readonly resources: ResourcesService,
    private readonly attendees: AttendeesService,
    private readonly catalog: CatalogService,
    private readonly config: AppConfig,
  ) {}

  async seed(baseUrl: string): Promise<DemoSetup> {
    await this.ensureEvent();
    // The demo belongs to administrators (no owner), like anything made with ADMIN_TOKEN.
    const existing = (await this.resources.list(EVERYTHING)).items;
    const attached = new Set((await this.events.listResources(DEMO_EVENT_ID, EVERYTHING)).map((r) => r.id));
    for (const d of DEMO_DEPLOYMENTS) {
      let resource = existing.find((r) => r.upstream === 'simulator' && r.deploymentName === d.deploymentName && !r.endpointUrl);
      resource ??= await this.resources.create({ ...d, upstream: 'simulator', priority: 0, weight: 1, active: true }, EVERYTHING);
      if (!attached.has(resource.id)) await this.events.attachResource(DEMO_EVENT_ID, resource.id, EVERYTHING);
    }
    const attendeeKey = await this.ensureAttendeeKey(baseUrl);
    this.logger.log({ eventId: DEMO_EVENT_ID }, 'Demo event ready');
    return { eventId: DEMO_EVENT_ID, attendeeKey, deployments: DEMO_DEPLOYMENTS.map((d) => d.deploymentName) };
  }

  private async ensureEvent(): Promise<void> {
    const now = Date.now();
    try {
      const event = await this.events.get(DEMO_EVENT_ID, EVERYTHING);
      // A demo started weeks ago is extended rather than left ended.
      if (Date.parse(event.endsAt) < now + DAY || !event.active) {
        await this.events.update(DEMO_EVENT_ID, { endsAt: new Date(now + 30 * DAY).toISOString(), active: true }, EVERYTHING);
      }
    } catch (err) {
      if (!(err instanceof DomainError && err.code === ErrorCode.EventNotFound)) throw err;
      await this.events.create({
        id: DEMO_EVENT_ID,
        name: 'AI Proxy demo',
        description: 'A demo event with simulated chat, embeddings, completions and image deployments.',
        organizerName: 'AI Proxy',
        organizerEmail: '',
        eventUrl: undefined,
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 30 * DAY).toISOString(),
        timeZone: 'UTC',
        maxTokenCap: 4096,
        dailyRequestCap: 1000,
        maxRealtimeSessions: 2,
        maxRealtimeSessionSeconds: 1800,
        active: true,
        registration: { mode: 'open' },
        modelAliases: { 'gpt-4o': 'gpt-4o-mini' },
      }, EVERYTHING);
    }
  }

  private async ensureAttendeeKey(baseUrl: string): Promise<string> {
    const file = join(this.config.dataDir, 'demo.json');
    if (existsSync(file)) {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as { attendeeKey?: string };
      if (stored.attendeeKey && (await this.catalog.attendeeByKeyHash(hashApiKey(stored.attendeeKey)))?.active) return stored.attendeeKey;
    }
    const registration = await this.attendees.registerOrRotate(DEMO_EVENT_ID, { name: 'Demo Attendee', email: DEMO_EMAIL }, baseUrl);
    writeFileSync(file, JSON.stringify({ attendeeKey: registration.apiKey }, null, 2), { mode: 0o600 });
    return registration.apiKey;
  }
}
