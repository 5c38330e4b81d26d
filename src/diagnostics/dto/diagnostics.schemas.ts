import { z } from 'zod';

const ErrorSchema = z.object({
  code: z.string().describe("The upstream's error code (e.g. 401, invalid_api_key, DeploymentNotFound), or ours: not_testable, no_endpoint, timeout, connection_failed"),
  message: z.string().describe("The upstream's message with its key and address removed, or a sentence of ours"),
});

export const ConnectionTestSchema = z.object({
  resourceId: z.string(),
  ok: z.boolean().describe('The upstream answered the test request with a 2xx'),
  testable: z.boolean().describe('False for model classes with no cheap test request (images, transcription, realtime): nothing was sent'),
  operation: z.string().nullable().describe('What was sent, e.g. "chat/completions" (one user message "ping", max_tokens 1)'),
  status: z.int().nullable().describe("The upstream's HTTP status; null when nothing was sent or no answer came"),
  latencyMs: z.int().nullable().describe('From sending the request to the end of the answer'),
  error: ErrorSchema.optional(),
});
export type ConnectionTest = z.infer<typeof ConnectionTestSchema>;

export const DeploymentHealthSchema = z.object({
  resourceId: z.string(),
  name: z.string(),
  deploymentName: z.string(),
  priority: z.int(),
  weight: z.int(),
  active: z.boolean(),
  breaker: z
    .enum(['closed', 'open', 'half-open'])
    .describe('closed: in use; open: resting after repeated failures; half-open: the next request is a trial'),
  unavailableUntil: z.string().nullable().describe('UTC ISO 8601 until which the balancer skips it (a 429 cooldown or an open breaker); null when available'),
  rateLimited: z.boolean().describe("Parked by a 429's retry-after (full, not failing)"),
});
export type DeploymentHealth = z.infer<typeof DeploymentHealthSchema>;

export const DeploymentsHealthSchema = z.object({
  eventId: z.string(),
  checkedAt: z.string().describe('UTC ISO 8601; the state is this replica\'s view'),
  items: z.array(DeploymentHealthSchema),
});
export type DeploymentsHealth = z.infer<typeof DeploymentsHealthSchema>;
