import { z } from 'zod';

/**
 * The answer of Azure AI Proxy's `POST /api/v1/eventinfo`, field for field: its Playground and client
 * scripts read exactly these names.
 */
export const LegacyEventInfoSchema = z.object({
  is_authorized: z.boolean().describe('False once the attendee has used up today\'s request allowance'),
  max_token_cap: z.int().describe('Largest max_tokens one request may ask for'),
  event_code: z.string().describe('The event name (Azure AI Proxy called it the event code)'),
  event_image_url: z.string().nullable(),
  organizer_name: z.string(),
  organizer_email: z.string(),
  capabilities: z
    .record(z.string(), z.array(z.string()))
    .describe('Model class → the event\'s deployment names of that class, e.g. {"openai-chat": ["gpt-4o"]}'),
});
export type LegacyEventInfo = z.infer<typeof LegacyEventInfoSchema>;

/** The answer of Azure AI Proxy's `GET /api/v1/event/{eventId}`: what its registration page shows. */
export const LegacyEventRegistrationSchema = z.object({
  event_id: z.string(),
  event_code: z.string().describe('The event name'),
  event_image_url: z.string().nullable(),
  organizer_name: z.string(),
  organizer_email: z.string(),
  event_markdown: z.string().describe('The event description (Markdown)'),
  start_timestamp: z.string().describe('Start as local wall-clock time in the event time zone, without offset (as Azure AI Proxy sent it)'),
  end_timestamp: z.string().describe('End as local wall-clock time in the event time zone, without offset'),
  time_zone_label: z.string().describe('IANA time zone, e.g. Europe/Berlin'),
  time_zone_offset: z.int().describe('Minutes east of UTC at the event start (Europe/Berlin in winter: 60)'),
  starts_at: z.string().describe('Start, UTC ISO 8601'),
  ends_at: z.string().describe('End, UTC ISO 8601'),
});
export type LegacyEventRegistration = z.infer<typeof LegacyEventRegistrationSchema>;
