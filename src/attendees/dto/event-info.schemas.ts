import { z } from 'zod';
import { MODEL_CLASSES } from '../../resources/resource.types';

export const EventInfoSchema = z.object({
  eventId: z.string(),
  name: z.string(),
  description: z.string(),
  organizerName: z.string(),
  organizerEmail: z.string(),
  eventUrl: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  timeZone: z.string(),
  status: z.enum(['upcoming', 'live', 'ended']),
  maxTokenCap: z.int(),
  dailyRequestCap: z.int(),
  attendee: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  deployments: z.array(z.object({ deploymentName: z.string(), modelClass: z.enum(MODEL_CLASSES) })),
  usage: z.object({
    day: z.string().describe('Calendar day in the event time zone'),
    requests: z.int(),
    tokens: z.int(),
    remainingRequests: z.int(),
    resetsAt: z.string().describe('Next midnight in the event time zone (UTC ISO 8601)'),
  }),
});
export type EventInfo = z.infer<typeof EventInfoSchema>;
