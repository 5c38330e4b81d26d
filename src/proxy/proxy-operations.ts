import type { ModelClass } from '../resources/resource.types';

export type Operation = 'chat' | 'completions' | 'embeddings' | 'images';

/** The three URL families clients use; they differ in where the deployment name comes from. */
export type RouteFamily = 'azure' | 'azure-v1' | 'openai';

export interface OperationSpec {
  /** Path after `/deployments/{d}/` (Azure) or `/v1/` (OpenAI). */
  path: string;
  classes: readonly ModelClass[];
  /** Whether max_tokens caps apply (and streaming with usage is possible). */
  generatesTokens: boolean;
}

export const OPERATIONS: Record<Operation, OperationSpec> = {
  chat: { path: 'chat/completions', classes: ['openai-chat'], generatesTokens: true },
  completions: { path: 'completions', classes: ['openai-completions'], generatesTokens: true },
  embeddings: { path: 'embeddings', classes: ['openai-embeddings'], generatesTokens: false },
  images: { path: 'images/generations', classes: ['openai-dall-e-3', 'openai-dall-e-2'], generatesTokens: false },
};

export interface ProxyCall {
  family: RouteFamily;
  operation: Operation;
  /** From the path on Azure dated routes; from the body's `model` otherwise. */
  deployment?: string;
  /** The client's `api-version` query value, if any. */
  apiVersion?: string;
}
