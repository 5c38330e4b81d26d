type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');

let encoding: Encoding | undefined;

/**
 * The o200k_base tables take ~70 MB once loaded, and most requests never need them (the upstream
 * reports usage): they are loaded on the first estimate instead of at start-up.
 */
function countTokens(text: string): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load; import() would make every caller async
  encoding ??= require('gpt-tokenizer/encoding/o200k_base') as Encoding;
  return encoding.countTokens(text);
}

/** Per-message framing tokens of the chat format (role markers), as OpenAI's cookbook counts them. */
const PER_MESSAGE = 3;
const PER_REPLY = 3;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (part && typeof part === 'object' && 'text' in part && typeof (part as { text: unknown }).text === 'string' ? (part as { text: string }).text : ''))
      .join(' ');
  }
  return '';
}

export function countTextTokens(text: string): number {
  return text ? countTokens(text) : 0;
}

/**
 * Prompt tokens of a request body, used when the upstream reports no usage (a broken stream, an old
 * api-version without stream_options). o200k_base is the GPT-4o family's encoding; counts for other
 * families are close, and such records are marked as estimated.
 */
export function estimatePromptTokens(body: Record<string, unknown>): number {
  if (Array.isArray(body.messages)) {
    let total = PER_REPLY;
    for (const m of body.messages as Record<string, unknown>[]) {
      total += PER_MESSAGE + countTextTokens(textOf(m?.content)) + (typeof m?.name === 'string' ? 1 : 0);
    }
    if (body.tools !== undefined) total += countTextTokens(JSON.stringify(body.tools));
    return total;
  }
  const input = body.prompt ?? body.input;
  if (typeof input === 'string') return countTextTokens(input);
  if (Array.isArray(input)) return input.reduce<number>((n, x) => n + (typeof x === 'string' ? countTextTokens(x) : Array.isArray(x) ? x.length : countTextTokens(textOf((x as { content?: unknown })?.content))), 0);
  return 0;
}
