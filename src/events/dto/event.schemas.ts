import { z } from 'zod';
import { REGISTRATION_MODES } from '../event.entity';
import { isValidTimeZone } from '../event-window';

const isoWithOffset = z.iso
  .datetime({ offset: true })
  .describe('ISO 8601 date-time with offset, e.g. 2026-03-01T09:00:00+01:00; stored as UTC');

export const EventIdSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/, 'must be 3–64 lowercase letters, digits or dashes (URL-safe slug)');

const RegistrationSchema = z
  .strictObject({
    mode: z.enum(REGISTRATION_MODES).describe('open: anyone with the link; code: a shared code; github: GitHub sign-in'),
    code: z.string().min(4).max(128).optional(),
  })
  .refine((r) => r.mode !== 'code' || !!r.code, { message: 'code is required when mode is "code"', path: ['code'] });

const ModelAliasesSchema = z
  .record(z.string().min(1).max(128), z.string().min(1).max(128))
  .describe('OpenAI model names mapped to this event\'s deployment names, e.g. {"gpt-4o": "gpt-4o-eu"}');

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(10_000),
  organizerName: z.string().max(200),
  organizerEmail: z.union([z.email(), z.literal('')]),
  eventUrl: z.url({ protocol: /^https?$/ }).max(2048).nullable(),
  imageUrl: z.url({ protocol: /^https?$/ }).max(2048).nullable().describe('Logo or banner for the registration page'),
  startsAt: isoWithOffset,
  endsAt: isoWithOffset,
  timeZone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
  maxTokenCap: z.int().min(1).max(1_000_000).describe('Largest max_tokens one request may ask for'),
  dailyRequestCap: z.int().min(1).max(10_000_000).describe('Requests per attendee per day (midnight in timeZone)'),
  maxRealtimeSessions: z.int().min(1).max(1000).describe('Realtime WebSocket sessions one attendee may hold open at once'),
  maxRealtimeSessionSeconds: z.int().min(1).max(86_400).describe('Longest a realtime session may run before the proxy closes it'),
  attendeeTokensPerMinute: z.int().min(1).max(1_000_000_000).nullable().describe('Tokens one attendee may use per minute (prompt + completion); null is unlimited'),
  attendeeTokensPerDay: z.int().min(1).max(1_000_000_000).nullable().describe('Tokens one attendee may use per day (midnight in timeZone); null is unlimited'),
  eventTokensPerMinute: z.int().min(1).max(1_000_000_000).nullable().describe('Tokens all attendees together may use per minute; null is unlimited'),
  eventTokensPerDay: z.int().min(1).max(1_000_000_000).nullable().describe('Tokens all attendees together may use per day; null is unlimited'),
  active: z.boolean(),
  registration: RegistrationSchema,
  modelAliases: ModelAliasesSchema,
};

export const CreateEventSchema = z
  .strictObject({
    id: EventIdSchema.optional().describe('URL-safe slug; generated from the name when absent'),
    name: fields.name,
    description: fields.description.default(''),
    organizerName: fields.organizerName.default(''),
    organizerEmail: fields.organizerEmail.default(''),
    eventUrl: fields.eventUrl.optional(),
    imageUrl: fields.imageUrl.optional(),
    startsAt: fields.startsAt,
    endsAt: fields.endsAt,
    timeZone: fields.timeZone.default('UTC'),
    maxTokenCap: fields.maxTokenCap.default(4096),
    dailyRequestCap: fields.dailyRequestCap.default(1000),
    maxRealtimeSessions: fields.maxRealtimeSessions.default(2),
    maxRealtimeSessionSeconds: fields.maxRealtimeSessionSeconds.default(1800),
    attendeeTokensPerMinute: fields.attendeeTokensPerMinute.optional(),
    attendeeTokensPerDay: fields.attendeeTokensPerDay.optional(),
    eventTokensPerMinute: fields.eventTokensPerMinute.optional(),
    eventTokensPerDay: fields.eventTokensPerDay.optional(),
    active: fields.active.default(true),
    registration: fields.registration.default({ mode: 'open' }),
    modelAliases: fields.modelAliases.default({}),
  })
  .refine((e) => Date.parse(e.endsAt) > Date.parse(e.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });
export type CreateEventInput = z.infer<typeof CreateEventSchema>;

export const UpdateEventSchema = z.strictObject({
  name: fields.name.optional(),
  description: fields.description.optional(),
  organizerName: fields.organizerName.optional(),
  organizerEmail: fields.organizerEmail.optional(),
  eventUrl: fields.eventUrl.optional(),
  imageUrl: fields.imageUrl.optional(),
  startsAt: fields.startsAt.optional(),
  endsAt: fields.endsAt.optional(),
  timeZone: fields.timeZone.optional(),
  maxTokenCap: fields.maxTokenCap.optional(),
  dailyRequestCap: fields.dailyRequestCap.optional(),
  maxRealtimeSessions: fields.maxRealtimeSessions.optional(),
  maxRealtimeSessionSeconds: fields.maxRealtimeSessionSeconds.optional(),
  attendeeTokensPerMinute: fields.attendeeTokensPerMinute.optional(),
  attendeeTokensPerDay: fields.attendeeTokensPerDay.optional(),
  eventTokensPerMinute: fields.eventTokensPerMinute.optional(),
  eventTokensPerDay: fields.eventTokensPerDay.optional(),
  active: fields.active.optional(),
  registration: fields.registration.optional(),
  modelAliases: fields.modelAliases.optional(),
});
export type UpdateEventInput = z.infer<typeof UpdateEventSchema>;

export const EventResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  organizerName: z.string(),
  organizerEmail: z.string(),
  eventUrl: z.string().nullable(),
  imageUrl: z.string().nullable(),
  startsAt: z.string().describe('UTC ISO 8601'),
  endsAt: z.string(),
  timeZone: z.string(),
  maxTokenCap: z.int(),
  dailyRequestCap: z.int(),
  maxRealtimeSessions: z.int(),
  maxRealtimeSessionSeconds: z.int(),
  attendeeTokensPerMinute: z.int().nullable(),
  attendeeTokensPerDay: z.int().nullable(),
  eventTokensPerMinute: z.int().nullable(),
  eventTokensPerDay: z.int().nullable(),
  active: z.boolean(),
  status: z.enum(['upcoming', 'live', 'ended']),
  registration: z.object({ mode: z.enum(REGISTRATION_MODES), code: z.string().optional() }),
  registrationUrl: z.string().describe('Path attendees register at (POST)'),
  modelAliases: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type EventResponse = z.infer<typeof EventResponseSchema>;

export const EventListResponseSchema = z.object({ items: z.array(EventResponseSchema), total: z.int() });
