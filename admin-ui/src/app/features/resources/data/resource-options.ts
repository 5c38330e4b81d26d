import type { ModelClass, UpstreamKind } from '../../../core/api/api-types';

/** Every value of a union, checked both ways by the compiler so a new enum value in the API fails the build. */
type Exhaustive<U extends string, L extends readonly U[]> = [U] extends [L[number]] ? L : never;

const modelClasses = [
  'openai-chat',
  'openai-completions',
  'openai-embeddings',
  'openai-dall-e-3',
  'openai-dall-e-2',
  'openai-audio-transcription',
  'openai-audio-speech',
  'openai-realtime',
  'openai-responses',
  'openai-assistant',
  'azure-ai-search',
  'azure-ai-inference',
] as const satisfies readonly ModelClass[];
export const MODEL_CLASSES: Exhaustive<ModelClass, typeof modelClasses> = modelClasses;

const upstreams = ['azure', 'openai', 'simulator'] as const satisfies readonly UpstreamKind[];
export const UPSTREAMS: Exhaustive<UpstreamKind, typeof upstreams> = upstreams;

export const UPSTREAM_LABELS: Record<UpstreamKind, string> = {
  azure: 'Azure OpenAI',
  openai: 'OpenAI-compatible',
  simulator: 'Built-in simulator',
};
