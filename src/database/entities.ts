import { AssistantObjectEntity } from '../assistants/assistant-object.entity';
import { AttendeeIdentityEntity } from '../attendees/attendee-identity.entity';
import { AttendeeEntity } from '../attendees/attendee.entity';
import { EventOrganiserEntity } from '../auth/organiser/event-organiser.entity';
import { OrganiserEntity } from '../auth/organiser/organiser.entity';
import { EventResourceEntity } from '../events/event-resource.entity';
import { EventEntity } from '../events/event.entity';
import { ImportMappingEntity } from '../import/import-mapping.entity';
import { ResourceEntity } from '../resources/resource.entity';
import { AttendeeDailyUsageEntity } from '../usage/attendee-daily-usage.entity';
import { UsageRecordEntity } from '../usage/usage-record.entity';

export const ENTITIES = [
  EventEntity,
  EventResourceEntity,
  ResourceEntity,
  AttendeeEntity,
  AttendeeIdentityEntity,
  UsageRecordEntity,
  AttendeeDailyUsageEntity,
  AssistantObjectEntity,
  OrganiserEntity,
  ImportMappingEntity,
  EventOrganiserEntity,
];
