import { InitialSchema1732400000000 } from './1732400000000-initial-schema';
import { EventRealtimeLimits1795500000000 } from './1795500000000-event-realtime-limits';
import { Organisers1795600000000 } from './1795600000000-organisers';
import { AttendeeIdentities1795700000000 } from './1795700000000-attendee-identities';
import { EventImageUrl1795800000000 } from './1795800000000-event-image-url';
import { AssistantObjects1795900000000 } from './1795900000000-assistant-objects';
import { EventTokenLimits1796000000000 } from './1796000000000-event-token-limits';
import { ImportMappings1796100000000 } from './1796100000000-import-mappings';

/** Listed explicitly so the same set runs from dist, from jest, and from the CLI. */
export const MIGRATIONS = [InitialSchema1732400000000, EventRealtimeLimits1795500000000, Organisers1795600000000, AttendeeIdentities1795700000000, EventImageUrl1795800000000, AssistantObjects1795900000000, EventTokenLimits1796000000000, ImportMappings1796100000000];
