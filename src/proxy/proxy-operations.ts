import type { ModelClass } from '../resources/resource.types';

export type Operation =
  | 'chat'
  | 'completions'
  | 'embeddings'
  | 'images'
  | 'transcriptions'
  | 'translations'
  | 'speech'
  | 'responses'
  | 'search'
  | 'searchGet'
  | 'chatExtensions'
  | 'inferenceChat'
  | 'inferenceCompletions'
  | 'inferenceEmbeddings'
  | 'inferenceImageEmbeddings'
  | 'inferenceInfo';

/**
 * The URL families clients use; they differ in where the deployment name comes from (the path on Azure
 * dated routes and search, the body's `model` otherwise).
 */
export type RouteFamily = 'azure' | 'azure-v1' | 'openai' | 'search' | 'inference';

export interface OperationSpec {
  /** Path after `/deployments/{d}/` (Azure) or `/v1/` (OpenAI); after `/indexes/{i}/` for search. */
  path: string;
  classes: readonly ModelClass[];
  method: 'POST' | 'GET';
  /** What the client sends: a JSON object, a multipart upload (spooled, then streamed on), or nothing. */
  body: 'json' | 'multipart' | 'none';
  /** `bytes`: a successful answer is piped through unread (audio, search results); `json`: read and metered. */
  response: 'json' | 'bytes';
  /** The body field the event's token cap applies to; `max_tokens` also covers `max_completion_tokens`. */
  tokenCap?: 'max_tokens' | 'max_output_tokens';
  /** Streams carry a usage chunk when asked for with `stream_options.include_usage`. */
  streamOptions: boolean;
  /** Generates text, so a record without reported usage is estimated rather than zero. */
  generatesTokens: boolean;
  /**
   * Where the upstream URL points: a deployment's route, the Responses API, an Azure AI Search index, or an
   * Azure AI Inference endpoint (`{endpoint}/{path}`, deployment in the `azureml-model-deployment` header).
   */
  upstream: 'deployment' | 'responses' | 'search' | 'inference';
}

const json = { method: 'POST', body: 'json', response: 'json', streamOptions: false, generatesTokens: false, upstream: 'deployment' } as const;

export const OPERATIONS: Record<Operation, OperationSpec> = {
  chat: { ...json, path: 'chat/completions', classes: ['openai-chat'], tokenCap: 'max_tokens', streamOptions: true, generatesTokens: true },
  completions: { ...json, path: 'completions', classes: ['openai-completions'], tokenCap: 'max_tokens', streamOptions: true, generatesTokens: true },
  embeddings: { ...json, path: 'embeddings', classes: ['openai-embeddings'] },
  // Current api-versions serve both DALL-E generations through the deployment route (the 2023 async
  // `images/generations:submit` operation for dall-e-2 was retired with its preview api-version).
  images: { ...json, path: 'images/generations', classes: ['openai-dall-e-3', 'openai-dall-e-2'] },
  transcriptions: { ...json, path: 'audio/transcriptions', classes: ['openai-audio-transcription'], body: 'multipart' },
  translations: { ...json, path: 'audio/translations', classes: ['openai-audio-transcription'], body: 'multipart' },
  speech: { ...json, path: 'audio/speech', classes: ['openai-audio-speech'], response: 'bytes' },
  // gpt-4o-class chat deployments serve the Responses API as well.
  responses: { ...json, path: 'responses', classes: ['openai-responses', 'openai-chat'], tokenCap: 'max_output_tokens', generatesTokens: true, upstream: 'responses' },
  search: { ...json, path: 'docs/search', classes: ['azure-ai-search'], response: 'bytes', upstream: 'search' },
  searchGet: { ...json, path: 'docs', classes: ['azure-ai-search'], method: 'GET', body: 'none', response: 'bytes', upstream: 'search' },
  // Azure's retired on-your-data route (api-versions up to 2023-12-01-preview), still used by old workshop material.
  chatExtensions: { ...json, path: 'extensions/chat/completions', classes: ['openai-chat'], tokenCap: 'max_tokens', generatesTokens: true },
  // Azure AI Inference rejects unknown body fields (unless extra-parameters says otherwise), so no stream_options.
  inferenceChat: { ...json, path: 'chat/completions', classes: ['azure-ai-inference'], tokenCap: 'max_tokens', generatesTokens: true, upstream: 'inference' },
  inferenceCompletions: { ...json, path: 'completions', classes: ['azure-ai-inference'], tokenCap: 'max_tokens', generatesTokens: true, upstream: 'inference' },
  inferenceEmbeddings: { ...json, path: 'embeddings', classes: ['azure-ai-inference'], upstream: 'inference' },
  inferenceImageEmbeddings: { ...json, path: 'images/embeddings', classes: ['azure-ai-inference'], upstream: 'inference' },
  inferenceInfo: { ...json, path: 'info', classes: ['azure-ai-inference'], method: 'GET', body: 'none', upstream: 'inference' },
};

export interface ProxyCall {
  family: RouteFamily;
  operation: Operation;
  /** From the path on Azure dated routes (the index name for search); from the body's `model` otherwise. */
  deployment?: string;
  /** The client's `api-version` query value, if any. */
  apiVersion?: string;
  /** Azure AI Inference: the client's `extra-parameters` header (pass-through | drop | error), passed on. */
  extraParameters?: string;
}
