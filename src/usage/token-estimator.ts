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
 * A tokenizer-free count for reservations: a UTF-8 byte per 3 is above o200k's count for English and code
 * (about 4 bytes a token) and close for CJK (3 bytes a character, about a token each). A reservation is
 * settled to the real usage when the answer ends, so this only needs to be near and cheap: it keeps
 * the 70 MB tokenizer tables out of memory and its CPU off the admission path.
 */
export function approxTextTokens(text: string): number {
  return text ? Math.ceil(Buffer.byteLength(text) / 3) : 0;
}

/**
 * Prompt tokens of a request body, used when the upstream reports no usage (a broken stream, an old
 * api-version without stream_options). o200k_base is the GPT-4o family's encoding; counts for other
 * families are close, and such records are marked as estimated.
 */
export function estimatePromptTokens(body: Record<string, unknown>, count: (text: string) => number = countTextTokens): number {
  if (Array.isArray(body.messages)) {
    let total = PER_REPLY;
    for (const m of body.messages as Record<string, unknown>[]) {
      total += PER_MESSAGE + count(textOf(m?.content)) + (typeof m?.name === 'string' ? 1 : 0);
    }
    if (body.tools !== undefined) total += count(JSON.stringify(body.tools));
    return total;
  }
  const input = body.prompt ?? body.input;
  if (typeof input === 'string') return count(input);
  if (Array.isArray(input)) return input.reduce<number>((n, x) => n + (typeof x === 'string' ? count(x) : Array.isArray(x) ? x.length : count(textOf((x as { content?: unknown })?.content))), 0);
  return 0;
}
