import { z } from 'zod';
import { REGISTRATION_MODES } from '../event.entity';

/** What anyone holding the registration link may see: never the registration code or organiser contact. */
export const PublicEventSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  organizerName: z.string(),
  eventUrl: z.string().nullable(),
  startsAt: z.string().describe('UTC ISO 8601'),
  endsAt: z.string(),
  timeZone: z.string(),
  status: z.enum(['upcoming', 'live', 'ended']),
  active: z.boolean().describe('False while the organiser has frozen the event'),
  registration: z.object({ mode: z.enum(REGISTRATION_MODES) }),
});
export type PublicEvent = z.infer<typeof PublicEventSchema>;
