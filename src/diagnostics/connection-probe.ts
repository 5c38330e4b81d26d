import type { CatalogResource } from '../catalog/catalog.types';
import type { ModelClass } from '../resources/resource.types';
import type { UpstreamBody, UpstreamCall } from '../proxy/upstream/upstream-request';
import { usesMaxCompletionTokens } from '../proxy/upstream/upstream-request';

/** The smallest request that proves a resource answers: a one-token "ping", an embedding of "ping", a one-hit search. */
export interface Probe {
  call: UpstreamCall;
  body: UpstreamBody;
  /** What was sent, for the organiser: e.g. "chat/completions". */
  operation: string;
}

/** A class with no cheap request, and why. */
export interface Untestable {
  reason: string;
}

const UNTESTABLE: Partial<Record<ModelClass, string>> = {
  'openai-dall-e-3': 'Image deployments are not tested here: every generation is billed as a full image. Generate one in the Playground instead.',
  'openai-dall-e-2': 'Image deployments are not tested here: every generation is billed as a full image. Generate one in the Playground instead.',
  'openai-audio-transcription': 'Transcription deployments are not tested here: a test would need an audio upload.',
  'openai-realtime': 'Realtime deployments are not tested here: they speak WebSocket, not single HTTP requests.',
};

/** The probe for a resource's model class, or why there is none. */
export function probeFor(resource: CatalogResource): Probe | Untestable {
  const untestable = UNTESTABLE[resource.modelClass];
  if (untestable) return { reason: untestable };
  const json = (value: Record<string, unknown>): UpstreamBody => ({ kind: 'json', value });
  switch (resource.modelClass) {
    case 'openai-chat': {
      // Reasoning models reject max_tokens; they take max_completion_tokens.
      const cap = usesMaxCompletionTokens(resource) ? 'max_completion_tokens' : 'max_tokens';
      return {
        call: { operation: 'chat', family: 'azure' },
        body: json({ messages: [{ role: 'user', content: 'ping' }], [cap]: 1 }),
        operation: 'chat/completions',
      };
    }
    case 'openai-completions':
      return { call: { operation: 'completions', family: 'azure' }, body: json({ prompt: 'ping', max_tokens: 1 }), operation: 'completions' };
    case 'openai-embeddings':
      return { call: { operation: 'embeddings', family: 'azure' }, body: json({ input: 'ping' }), operation: 'embeddings' };
    case 'openai-responses':
      // 16 is the smallest max_output_tokens the Responses API accepts.
      return { call: { operation: 'responses', family: 'openai' }, body: json({ input: 'ping', max_output_tokens: 16 }), operation: 'responses' };
    case 'openai-audio-speech':
      // Four characters of speech: billed per character, so a fraction of a cent.
      return { call: { operation: 'speech', family: 'azure' }, body: json({ input: 'ping', voice: 'alloy' }), operation: 'audio/speech' };
    case 'azure-ai-search':
      return { call: { operation: 'search', family: 'search' }, body: json({ search: '*', top: 1 }), operation: 'docs/search' };
    case 'azure-ai-inference':
      // GET /info costs nothing and answers for chat and embedding models alike.
      return { call: { operation: 'inferenceInfo', family: 'inference' }, body: { kind: 'none' }, operation: 'info' };
    default:
      return { reason: `Deployments of class ${resource.modelClass} have no test request.` };
  }
}

export function isProbe(p: Probe | Untestable): p is Probe {
  return 'call' in p;
}

/** What must never appear in an answer: the upstream key and where the upstream lives. */
export interface Secrets {
  apiKey: string | null;
  urls: string[];
}

const MAX_MESSAGE = 500;

/** Sentence punctuation after a replaced word stays. */
function trailing(word: string): string {
  return /[.,;:)"']+$/.exec(word)?.[0] ?? '';
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes the key (whole, or masked the way OpenAI shows it: `sk-ab****wxyz`) and the upstream's URL,
 * origin and host from an upstream's error text, and caps its length.
 */
export function redact(text: string, secrets: Secrets): string {
  let out = text;
  if (secrets.apiKey && secrets.apiKey.length >= 4) out = out.split(secrets.apiKey).join('[key]');
  // Masked keys ("wro*****1234"): the visible ends are still part of the key.
  out = out.replace(/\S*\*{3,}\S*/g, (m) => `[key]${trailing(m)}`);
  const places = new Set<string>();
  for (const raw of secrets.urls) {
    try {
      const url = new URL(raw);
      places.add(url.href.replace(/\/$/, ''));
      places.add(`${url.origin}${url.pathname}`.replace(/\/$/, ''));
      places.add(url.origin);
      places.add(url.host);
      places.add(url.hostname);
    } catch {
      // not a URL; nothing to hide
    }
  }
  // Longest first, so a full URL is replaced before its host is.
  for (const place of [...places].filter((p) => p.length >= 3).sort((a, b) => b.length - a.length)) {
    out = out.replace(new RegExp(`\\S*${escape(place)}\\S*`, 'gi'), (m) => `[upstream]${trailing(m)}`);
  }
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE - 1)}…` : out;
}

/** The `{code, message}` of an upstream error body (OpenAI, Azure OpenAI and Azure AI Search shapes), redacted. */
export function upstreamError(status: number, text: string, secrets: Secrets): { code: string; message: string } {
  let code = '';
  let message = '';
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; type?: unknown } | string; message?: unknown; code?: unknown };
    const err = typeof body.error === 'object' && body.error !== null ? body.error : undefined;
    const rawCode = err?.code ?? err?.type ?? body.code;
    if (typeof rawCode === 'string' || typeof rawCode === 'number') code = String(rawCode);
    const rawMessage = err?.message ?? (typeof body.error === 'string' ? body.error : body.message);
    if (typeof rawMessage === 'string') message = rawMessage;
  } catch {
    message = text.startsWith('<') ? '' : text; // an HTML error page says nothing useful
  }
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(code)) code = `http_${status}`;
  message = redact(message, secrets) || `The upstream answered HTTP ${status}.`;
  return { code, message };
}

/** A sentence for a request that got no answer, without the upstream's address (undici's messages name host and port). */
export function transportError(err: unknown, timedOut: boolean): { code: string; message: string } {
  if (timedOut) return { code: 'timeout', message: 'The upstream did not answer in time.' };
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const raw = e?.cause?.code ?? e?.code;
  const name = typeof raw === 'string' && /^[A-Z0-9_]{2,40}$/.test(raw) ? raw : undefined;
  const hint: Record<string, string> = {
    ECONNREFUSED: 'the connection was refused',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved right now',
    ECONNRESET: 'the connection was reset',
    UND_ERR_CONNECT_TIMEOUT: 'connecting timed out',
    UND_ERR_HEADERS_TIMEOUT: 'the upstream did not answer in time',
    UND_ERR_SOCKET: 'the connection broke',
    CERT_HAS_EXPIRED: 'its TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'its TLS certificate is self-signed',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its TLS certificate cannot be verified',
  };
  const why = name ? (hint[name] ?? name) : 'the request failed';
  return { code: 'connection_failed', message: `Could not reach the upstream: ${why}.` };
}
