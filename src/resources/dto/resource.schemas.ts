import { z } from 'zod';
import { MODEL_CLASSES, UPSTREAM_KINDS } from '../resource.types';

export const DeploymentNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be 1–128 letters, digits, dots, dashes or underscores');

const fields = {
  name: z.string().trim().min(1).max(200),
  deploymentName: DeploymentNameSchema.describe('The name clients ask for (Azure deployment / OpenAI model)'),
  modelClass: z.enum(MODEL_CLASSES),
  upstream: z.enum(UPSTREAM_KINDS).describe('azure, openai (any OpenAI-compatible server) or simulator'),
  endpointUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .describe(
      'e.g. https://my-resource.openai.azure.com; for azure-ai-inference the model endpoint, e.g. https://my-model.eastus2.models.ai.azure.com ' +
        'or https://my-resource.services.ai.azure.com/models; optional for the built-in simulator',
    ),
  apiKey: z.string().min(1).max(1024).describe('Write-only; never returned (only its last 4 characters)'),
  apiVersion: z.string().regex(/^[A-Za-z0-9.-]{1,64}$/, 'must look like 2024-10-21').describe('Azure api-version default'),
  modelName: z.string().min(1).max(128).describe('Model name sent to OpenAI-compatible upstreams'),
  priority: z.int().min(0).max(1000).describe('Lower is preferred; higher tiers are failover'),
  weight: z.int().min(1).max(1000).describe('Round-robin weight within a priority tier'),
  tokensPerMinute: z.int().min(1).max(1_000_000_000).nullable(),
  requestsPerMinute: z.int().min(1).max(10_000_000).nullable(),
  active: z.boolean(),
};

export const CreateResourceSchema = z
  .strictObject({
    name: fields.name,
    deploymentName: fields.deploymentName,
    modelClass: fields.modelClass,
    upstream: fields.upstream,
    endpointUrl: fields.endpointUrl.optional(),
    apiKey: fields.apiKey.optional(),
    apiVersion: fields.apiVersion.optional(),
    modelName: fields.modelName.optional(),
    priority: fields.priority.default(0),
    weight: fields.weight.default(1),
    tokensPerMinute: fields.tokensPerMinute.optional(),
    requestsPerMinute: fields.requestsPerMinute.optional(),
    active: fields.active.default(true),
  })
  .refine((r) => r.upstream === 'simulator' || !!r.endpointUrl, {
    message: 'endpointUrl is required for azure and openai upstreams',
    path: ['endpointUrl'],
  });
export type CreateResourceInput = z.infer<typeof CreateResourceSchema>;

export const UpdateResourceSchema = z.strictObject({
  name: fields.name.optional(),
  deploymentName: fields.deploymentName.optional(),
  modelClass: fields.modelClass.optional(),
  upstream: fields.upstream.optional(),
  endpointUrl: fields.endpointUrl.optional(),
  apiKey: fields.apiKey.nullable().optional().describe('A new key; null removes it'),
  apiVersion: fields.apiVersion.nullable().optional(),
  modelName: fields.modelName.nullable().optional(),
  priority: fields.priority.optional(),
  weight: fields.weight.optional(),
  tokensPerMinute: fields.tokensPerMinute.optional(),
  requestsPerMinute: fields.requestsPerMinute.optional(),
  active: fields.active.optional(),
});
export type UpdateResourceInput = z.infer<typeof UpdateResourceSchema>;

export const ResourceResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  deploymentName: z.string(),
  modelClass: z.enum(MODEL_CLASSES),
  upstream: z.enum(UPSTREAM_KINDS),
  endpointUrl: z.string().describe('Empty for the built-in simulator'),
  hasApiKey: z.boolean(),
  apiKeyHint: z.string().nullable().describe('"…" followed by the last 4 characters of the key'),
  apiVersion: z.string().nullable(),
  modelName: z.string().nullable(),
  priority: z.int(),
  weight: z.int(),
  tokensPerMinute: z.int().nullable(),
  requestsPerMinute: z.int().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ResourceResponse = z.infer<typeof ResourceResponseSchema>;
export const ResourceListResponseSchema = z.object({ items: z.array(ResourceResponseSchema), total: z.int() });
