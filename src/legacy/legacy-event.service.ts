import { Injectable } from '@nestjs/common';
import type { AttendeePrincipal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import type { ModelClass } from '../resources/resource.types';
import { UsageService } from '../usage/usage.service';
import type { LegacyEventInfo, LegacyEventRegistration } from './dto/legacy-event.schemas';
import { localWallClock, utcOffsetMinutes } from './local-time';

/**
 * Our model classes under the names Azure AI Proxy gives them: its Playground looks deployments up by these
 * keys (e.g. `capabilities["openai-dalle3"]`). Classes it never had keep our name.
 */
const LEGACY_CLASS_NAME: Partial<Record<ModelClass, string>> = {
  'openai-embeddings': 'openai-embedding',
  'openai-dall-e-2': 'openai-dalle2',
  'openai-dall-e-3': 'openai-dalle3',
  'openai-audio-transcription': 'openai-whisper',
  'openai-completions': 'openai-completion',
};

/** Azure AI Proxy's event routes, answered from the in-memory catalog in that project's field names. */
@Injectable()
export class LegacyEventService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly usage: UsageService,
  ) {}

  async eventInfo({ attendee, event }: AttendeePrincipal, now = new Date()): Promise<LegacyEventInfo> {
    const today = await this.usage.today(attendee.id, event.timeZone, now);
    const capabilities: Record<string, string[]> = {};
    for (const [name, resources] of this.catalog.deploymentsOf(event.id)) {
      const modelClass = resources[0].modelClass;
      (capabilities[LEGACY_CLASS_NAME[modelClass] ?? modelClass] ??= []).push(name);
    }
    for (const names of Object.values(capabilities)) names.sort();
    return {
      is_authorized: today.requests < event.dailyRequestCap,
      max_token_cap: event.maxTokenCap,
      event_code: event.name,
      event_image_url: event.imageUrl,
      organizer_name: event.organizerName,
      organizer_email: event.organizerEmail,
      capabilities,
    };
  }

  registrationInfo(eventId: string): LegacyEventRegistration {
    const event = this.catalog.event(eventId);
    if (!event)
      throw new DomainError(ErrorCode.EventNotFound, `Event '${eventId.slice(0, 64)}' does not exist.`);
    return {
      event_id: event.id,
      event_code: event.name,
      event_image_url: event.imageUrl,
      organizer_name: event.organizerName,
      organizer_email: event.organizerEmail,
      event_markdown: event.description,
      start_timestamp: localWallClock(event.startsAt, event.timeZone),
      end_timestamp: localWallClock(event.endsAt, event.timeZone),
      time_zone_label: event.timeZone,
      time_zone_offset: utcOffsetMinutes(event.startsAt, event.timeZone),
      starts_at: event.startsAt.toISOString(),
      ends_at: event.endsAt.toISOString(),
    };
  }
}
