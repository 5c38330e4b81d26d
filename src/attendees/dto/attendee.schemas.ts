import { z } from 'zod';

export const RegisterAttendeeSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  code: z.string().max(128).optional().describe('Registration code, for events in "code" mode'),
});
export type RegisterAttendeeInput = z.infer<typeof RegisterAttendeeSchema>;

export const RegistrationResponseSchema = z.object({
  attendeeId: z.string(),
  apiKey: z.string().describe('Shown once; store it now'),
  keyPrefix: z.string(),
  eventId: z.string(),
  eventName: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  endpoints: z.object({
    azureOpenAI: z.string().describe('Endpoint for AzureOpenAI SDK clients'),
    openAI: z.string().describe('baseURL for OpenAI SDK clients'),
  }),
});
export type RegistrationResponse = z.infer<typeof RegistrationResponseSchema>;

export const UpdateAttendeeSchema = z.strictObject({ active: z.boolean() });
export type UpdateAttendeeInput = z.infer<typeof UpdateAttendeeSchema>;

export const ListAttendeesQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  search: z.string().max(200).optional().describe('Matches name, email or sign-in login, case-insensitive'),
});
export type ListAttendeesQuery = z.infer<typeof ListAttendeesQuerySchema>;

export const AttendeeResponseSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  name: z.string(),
  email: z.string(),
  keyPrefix: z.string(),
  identity: z
    .object({ provider: z.string(), login: z.string() })
    .nullable()
    .describe('Who signed in to register (events in github mode), as of their last sign-in; null for form registrations'),
  active: z.boolean(),
  keyRotatedAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type AttendeeResponse = z.infer<typeof AttendeeResponseSchema>;

export const AttendeePageSchema = z.object({
  items: z.array(AttendeeResponseSchema),
  total: z.int(),
  page: z.int(),
  pageSize: z.int(),
});

export const RotatedKeySchema = z.object({ attendeeId: z.string(), apiKey: z.string(), keyPrefix: z.string() });
