import type { TokenLimits } from '../catalog/catalog.types';
import type { OperationSpec } from '../proxy/proxy-operations';
import { approxTextTokens, estimatePromptTokens } from './token-estimator';

export function hasTokenLimits(limits: TokenLimits): boolean {
  return limits.attendeePerMinute !== null || limits.attendeePerDay !== null || limits.eventPerMinute !== null || limits.eventPerDay !== null;
}

/** Operations whose usage is counted in tokens (text generation and embeddings); images, audio and search are not. */
export function countsTokens(spec: OperationSpec): boolean {
  return spec.generatesTokens || spec.path.endsWith('embeddings');
}

const MAX_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;

/**
 * The most a request can use: its prompt (estimated from its byte length, see approxTextTokens) plus the
 * completion limit it asks for, or the event's per-request cap when it asks for none (the proxy then sends
 * that cap upstream). Only computed when a token budget applies.
 */
export function tokenReservation(body: Record<string, unknown>, spec: OperationSpec, maxTokenCap: number): number {
  const prompt = estimatePromptTokens(body, approxTextTokens);
  if (spec.tokenCap === undefined) return prompt;
  const asked = MAX_FIELDS.map((f) => body[f]).find((v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0);
  return prompt + Math.min(asked ?? maxTokenCap, maxTokenCap);
}
