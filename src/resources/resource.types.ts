export const MODEL_CLASSES = [
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
] as const;
export type ModelClass = (typeof MODEL_CLASSES)[number];

export const UPSTREAM_KINDS = ['azure', 'openai', 'simulator'] as const;
export type UpstreamKind = (typeof UPSTREAM_KINDS)[number];

/** The Azure api-version used when neither the resource nor the client names one. */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';
