import { z } from 'zod';

/**
 * Configuration of the simulated upstream. Top-level settings are camelCase; fault knobs keep the
 * snake_case names of UPSTREAM.md §8 because each one mirrors an `x-mock-<name>` request header.
 */
export interface DeploymentConfig {
  /** Underlying model name reported in responses (`model`), e.g. "gpt-4o-2024-08-06". */
  model: string;
  tpm?: number;
  rpm?: number;
}

export interface RateLimitConfig {
  tpm?: number;
  rpm?: number;
  /** Sliding window length; the budget in a window is limit × window_s / 60. */
  window_s?: number;
}

export interface FailRule {
  status: number;
  count: number;
  /** Only for 429: the advertised wait (retry-after-ms; retry-after is its ceiling in seconds). */
  retry_after_ms?: number;
}

export interface FaultConfig {
  latency_ms: number;
  jitter_ms: number;
  ttft_ms: number;
  inter_chunk_ms: number;
  rate_limit?: RateLimitConfig;
  fail_next: FailRule[];
  content_filter_regex?: string;
  filter_stream_after?: number;
  stream_error_after?: number;
  drop_after?: number;
  x_should_retry?: boolean;
}

export type SearchDocument = Record<string, unknown>;

export interface SearchIndexConfig {
  documents: SearchDocument[];
}

export interface SearchConfig {
  /** Admin/query key for /indexes/*; defaults to the model API key when absent. */
  apiKey?: string;
  serviceName: string;
  indexes: Record<string, SearchIndexConfig>;
}

export interface SimulatorConfig {
  apiKey: string;
  /** Entra-style bearer tokens accepted on Azure and Search paths (opaque strings). */
  bearerTokens: string[];
  region: string;
  seed: number;
  /** Unix seconds used for every `created`; "real" uses the wall clock. */
  clock: number | 'real';
  /** Fixed assistant reply; when absent the reply is "echo: " + the last user text. */
  replyText?: string;
  chunkWords: number;
  embeddingDimensions: number;
  /** "auto": Azure content-filter annotations on Azure paths only. */
  azureAnnotations: boolean | 'auto';
  allowUndefinedDeployments: boolean;
  deployments: Record<string, DeploymentConfig>;
  /** A chat request with `tools` whose last user text contains this word gets a tool call back. */
  toolCallTrigger: string;
  /** Number of 16-bit zero samples in synthesised speech. */
  speechSamples: number;
  faults: FaultConfig;
  search: SearchConfig;
}

/** What callers pass: any top-level setting, and any subset of the fault and search settings. */
export interface SimulatorOptions extends Partial<Omit<SimulatorConfig, 'faults' | 'search'>> {
  faults?: Partial<FaultConfig>;
  search?: Partial<SearchConfig>;
}

export const DEFAULT_API_KEY = 'simulator-key';

export function defaultConfig(): SimulatorConfig {
  return {
    apiKey: DEFAULT_API_KEY,
    bearerTokens: [],
    region: 'simulated',
    seed: 42,
    clock: 1700000000,
    chunkWords: 1,
    embeddingDimensions: 8,
    azureAnnotations: 'auto',
    allowUndefinedDeployments: true,
    deployments: {
      'gpt-4o': { model: 'gpt-4o-2024-08-06' },
      'gpt-4o-mini': { model: 'gpt-4o-mini-2024-07-18' },
      'text-embedding-3-small': { model: 'text-embedding-3-small' },
      'dall-e-3': { model: 'dall-e-3' },
      whisper: { model: 'whisper' },
      'tts-1': { model: 'tts-1' },
    },
    toolCallTrigger: 'weather',
    speechSamples: 2400,
    faults: { latency_ms: 0, jitter_ms: 0, ttft_ms: 0, inter_chunk_ms: 0, fail_next: [] },
    search: { serviceName: 'simulated-search', indexes: {} },
  };
}

const nonNegative = z.number().int().nonnegative();
const positive = z.number().positive();

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

export const rateLimitSchema = z.strictObject({
  tpm: positive.optional(),
  rpm: positive.optional(),
  window_s: positive.optional(),
});

export const failRuleSchema = z.strictObject({
  status: z.number().int().min(400).max(599),
  count: z.number().int().positive(),
  retry_after_ms: nonNegative.optional(),
});

export const faultConfigSchema = z.strictObject({
  latency_ms: nonNegative,
  jitter_ms: nonNegative,
  ttft_ms: nonNegative,
  inter_chunk_ms: nonNegative,
  rate_limit: rateLimitSchema.optional(),
  fail_next: z.array(failRuleSchema),
  content_filter_regex: regexSource.optional(),
  filter_stream_after: nonNegative.optional(),
  stream_error_after: nonNegative.optional(),
  drop_after: nonNegative.optional(),
  x_should_retry: z.boolean().optional(),
});

const deploymentSchema = z.strictObject({
  model: z.string().min(1),
  tpm: positive.optional(),
  rpm: positive.optional(),
});

const searchSchema = z.strictObject({
  apiKey: z.string().min(1).optional(),
  serviceName: z.string().min(1),
  indexes: z.record(z.string(), z.strictObject({ documents: z.array(z.record(z.string(), z.unknown())) })),
});

export const simulatorConfigSchema: z.ZodType<SimulatorConfig> = z.strictObject({
  apiKey: z.string().min(1),
  bearerTokens: z.array(z.string().min(1)),
  region: z.string().min(1),
  seed: z.number().int(),
  clock: z.union([nonNegative, z.literal('real')]),
  replyText: z.string().optional(),
  chunkWords: z.number().int().positive(),
  embeddingDimensions: z.number().int().positive().max(4096),
  azureAnnotations: z.union([z.boolean(), z.literal('auto')]),
  allowUndefinedDeployments: z.boolean(),
  deployments: z.record(z.string().min(1), deploymentSchema),
  toolCallTrigger: z.string().min(1),
  speechSamples: nonNegative,
  faults: faultConfigSchema,
  search: searchSchema,
});

export class SimulatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = SimulatorConfigError.name;
  }
}

/** Full validation; the message names every bad field so a typo in a JSON file is easy to find. */
export function validateConfig(candidate: unknown): SimulatorConfig {
  const parsed = simulatorConfigSchema.safeParse(candidate);
  if (!parsed.success) throw new SimulatorConfigError(z.prettifyError(parsed.error));
  return parsed.data;
}

export function resolveConfig(options: SimulatorOptions = {}): SimulatorConfig {
  return validateConfig(mergeConfig(defaultConfig(), options));
}

type Json = unknown;

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * JSON merge-patch semantics (RFC 7386): objects merge recursively, arrays and scalars replace, and
 * `null` removes a key, which is how PATCH unsets an optional knob such as content_filter_regex.
 */
export function deepMerge(base: Json, patch: Json): Json {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, Json> = isPlainObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    if (value === null) delete result[key];
    else if (value !== undefined) result[key] = deepMerge(result[key], value);
  }
  return result;
}

/** Merge without validating; callers validate the result with validateConfig. */
export function mergeConfig(base: SimulatorConfig, patch: unknown): unknown {
  return deepMerge(base, patch);
}
