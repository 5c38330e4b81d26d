export interface ResponseUsage {
  responseId: string | null;
  status: string;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

const RESPONSE_DONE = Buffer.from('"response.done"');

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : 0;
}

/**
 * Token usage from an upstream `response.done` frame, or undefined for any other frame. A byte search
 * rules out the other frames (most are audio deltas) without parsing them.
 */
export function responseDoneUsage(frame: Buffer): ResponseUsage | undefined {
  if (frame.indexOf(RESPONSE_DONE) < 0) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(frame.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null || (event as { type?: unknown }).type !== 'response.done') return undefined;
  const response = (event as { response?: Record<string, unknown> }).response ?? {};
  const usage = (response.usage ?? {}) as Record<string, unknown>;
  const inputTokens = count(usage.input_tokens);
  const outputTokens = count(usage.output_tokens);
  return {
    responseId: typeof response.id === 'string' ? response.id : null,
    status: typeof response.status === 'string' ? response.status : 'completed',
    inputTokens,
    outputTokens,
    totalTokens: usage.total_tokens === undefined ? inputTokens + outputTokens : count(usage.total_tokens),
  };
}

const RESPONSE_CREATED = Buffer.from('"response.created"');
/** response.created frames are small; anything larger is not one. */
const MAX_CREATED_FRAME = 16 * 1024;

/** The response id of an upstream `response.created` frame, for per-response latency. */
export function responseCreatedId(frame: Buffer): string | undefined {
  if (frame.length > MAX_CREATED_FRAME || frame.indexOf(RESPONSE_CREATED) < 0) return undefined;
  try {
    const event = JSON.parse(frame.toString('utf8')) as { type?: unknown; response?: { id?: unknown } };
    return event.type === 'response.created' && typeof event.response?.id === 'string' ? event.response.id : undefined;
  } catch {
    return undefined;
  }
}
