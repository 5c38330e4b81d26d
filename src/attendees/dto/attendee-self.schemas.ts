import { z } from 'zod';

/** Snake case: these routes keep the Azure AI Proxy's field names (`api_key`, `active`). */
const endpoints = z.object({
  azure_openai: z.string().describe('Endpoint for AzureOpenAI SDK clients'),
  openai: z.string().describe('baseURL for OpenAI SDK clients'),
});

export const SelfRegistrationSchema = z.object({
  api_key: z
    .string()
    .nullable()
    .describe('The new key (201), shown once. null (200) when this identity is already registered: only a hash is kept, so rotate to get a new one'),
  key_prefix: z.string().describe('The start of the key, to recognise it'),
  active: z.boolean(),
  attendee_id: z.string(),
  event_id: z.string(),
  message: z.string().optional().describe('Present when already registered'),
  endpoints,
});
export type SelfRegistration = z.infer<typeof SelfRegistrationSchema>;

export const SelfStatusSchema = z.object({
  api_key: z.null().describe('Always null: only a hash of the key is stored. Rotate to get a new key'),
  key_prefix: z.string(),
  active: z.boolean().describe('False when the organiser revoked the key'),
  attendee_id: z.string(),
  event_id: z.string(),
  name: z.string(),
  email: z.string(),
  identity: z.object({ provider: z.string(), login: z.string() }),
  key_rotated_at: z.string(),
  usage: z.object({
    day: z.string().describe('Calendar day in the event time zone'),
    requests: z.int(),
    tokens: z.int(),
    daily_request_cap: z.int(),
    remaining_requests: z.int(),
    max_token_cap: z.int().describe('Largest max_tokens one request may ask for'),
    resets_at: z.string().describe('Next midnight in the event time zone (UTC ISO 8601)'),
  }),
  endpoints,
});
export type SelfStatus = z.infer<typeof SelfStatusSchema>;

export const SelfRotatedSchema = z.object({
  api_key: z.string().describe('The new key, shown once; the previous key stops working'),
  key_prefix: z.string(),
  attendee_id: z.string(),
});
export type SelfRotated = z.infer<typeof SelfRotatedSchema>;
