import { setTimeout as sleep } from 'node:timers/promises';
import { SPEECH_SAMPLE_RATE, chunkText, countTokens, truncateToTokens } from './content';
import { type JsonObject, isObject } from './prompt';

/**
 * The Realtime API protocol (UPSTREAM.md §6) as one simulated session, independent of the socket: it
 * reads client events and emits server events through `send`, so it is unit-tested without a network.
 * GA sessions (the `/openai/v1/realtime` and `/v1/realtime` URLs) use the GA event and content names;
 * beta sessions (the preview URL, `OpenAI-Beta: realtime=v1`) use the beta ones. Nothing is translated.
 */

export type RealtimeFlavour = 'ga' | 'beta';

export type RealtimeEvent = JsonObject & { type: string };

export interface RealtimeSessionOptions {
  flavour: RealtimeFlavour;
  /** The underlying model reported in the session. */
  model: string;
  /** Fixed assistant reply; otherwise "echo: " + the last user text. */
  replyText?: string;
  chunkWords: number;
  /** Stream pacing and faults, resolved from the handshake's config and x-mock-* headers. */
  ttftMs: number;
  interChunkMs: number;
  /** After this many deltas the socket is dropped mid-response. */
  dropAfter?: number;
  /** Random hex for ids (the simulator's seeded RNG). */
  randomHex: (length: number) => string;
  /** Unix seconds, for `expires_at`. */
  now: () => number;
  send: (event: RealtimeEvent) => void;
  /** Closes the socket abruptly (drop_after). */
  drop: () => void;
}

/** 24 kHz mono PCM16: 48,000 bytes per second; 100 ms is the least a commit accepts. */
const BYTES_PER_SECOND = SPEECH_SAMPLE_RATE * 2;
const MIN_COMMIT_BYTES = BYTES_PER_SECOND / 10;
/** Audio tokens: 10 per second of audio, a round stand-in for the real rate. */
const AUDIO_BYTES_PER_TOKEN = BYTES_PER_SECOND / 10;
/** Output audio: 100 ms of silence per streamed piece of text. */
const OUTPUT_AUDIO_BYTES_PER_CHUNK = BYTES_PER_SECOND / 10;
const SESSION_LIFETIME_S = 30 * 60;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const CLIENT_EVENTS = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'response.create',
  'response.cancel',
] as const;
type ClientEventType = (typeof CLIENT_EVENTS)[number];

const ITEM_TYPES = ['message', 'function_call', 'function_call_output'];
const ROLES = ['user', 'assistant', 'system'];

interface RealtimeErrorDetail {
  message: string;
  code: string | null;
  param: string | null;
}

class ClientEventError extends Error {
  constructor(readonly detail: RealtimeErrorDetail) {
    super(detail.message);
  }
}

const missing = (param: string): ClientEventError =>
  new ClientEventError({ message: `Missing required parameter: '${param}'.`, code: 'missing_required_parameter', param });
const invalid = (param: string, message: string): ClientEventError => new ClientEventError({ message, code: 'invalid_value', param });

/** Objects merge recursively; anything else (arrays, scalars, explicit null) replaces. */
function mergeSession(base: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    out[key] = isObject(value) && isObject(out[key]) ? mergeSession(out[key] as JsonObject, value) : value;
  }
  return out;
}

const SERVER_VAD = { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200, create_response: true, interrupt_response: true };

export function defaultSession(flavour: RealtimeFlavour, id: string, model: string, expiresAt: number): JsonObject {
  if (flavour === 'beta') {
    return {
      id,
      object: 'realtime.session',
      model,
      expires_at: expiresAt,
      modalities: ['text', 'audio'],
      instructions: '',
      voice: 'alloy',
      input_audio_format: 'pcm16',
      output_audio_format: 'pcm16',
      input_audio_transcription: null,
      turn_detection: SERVER_VAD,
      tools: [],
      tool_choice: 'auto',
      temperature: 0.8,
      max_response_output_tokens: 'inf',
    };
  }
  return {
    type: 'realtime',
    object: 'realtime.session',
    id,
    model,
    expires_at: expiresAt,
    output_modalities: ['audio'],
    instructions: '',
    audio: {
      input: { format: { type: 'audio/pcm', rate: SPEECH_SAMPLE_RATE }, transcription: null, noise_reduction: null, turn_detection: { ...SERVER_VAD, idle_timeout_ms: null } },
      output: { format: { type: 'audio/pcm', rate: SPEECH_SAMPLE_RATE }, voice: 'alloy', speed: 1 },
    },
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    prompt: null,
    include: null,
  };
}

/** Text of an item's content parts; audio without a transcript reads as "[audio 1.0s]". */
function itemText(item: JsonObject): string {
  if (item['type'] === 'function_call_output') return typeof item['output'] === 'string' ? item['output'] : '';
  if (item['type'] === 'function_call') return typeof item['arguments'] === 'string' ? item['arguments'] : '';
  const content = Array.isArray(item['content']) ? item['content'] : [];
  return content
    .map((part) => {
      if (!isObject(part)) return '';
      if (typeof part['text'] === 'string') return part['text'];
      if (typeof part['transcript'] === 'string') return part['transcript'];
      if (typeof part['audio'] === 'string') return `[audio ${(base64Bytes(part['audio']) / BYTES_PER_SECOND).toFixed(1)}s]`;
      return '';
    })
    .join('');
}

function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor((text.length * 3) / 4) - padding;
}

function maxTokens(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

interface ActiveResponse {
  id: string;
  cancelled: boolean;
  done: Promise<void>;
}

export class SimulatedRealtimeSession {
  private session: JsonObject;
  private readonly items: JsonObject[] = [];
  private audioBuffer: Buffer[] = [];
  private audioBytes = 0;
  /** Audio committed into the conversation so far, for input token counts. */
  private committedAudioBytes = 0;
  private active?: ActiveResponse;
  private closed = false;

  constructor(private readonly options: RealtimeSessionOptions) {
    this.session = defaultSession(options.flavour, this.id('sess_'), options.model, options.now() + SESSION_LIFETIME_S);
  }

  get flavour(): RealtimeFlavour {
    return this.options.flavour;
  }

  /** The server speaks first. */
  start(): void {
    this.emit({ type: 'session.created', session: this.session });
  }

  /** The socket closed: an in-flight response stops. */
  close(): void {
    this.closed = true;
    if (this.active) this.active.cancelled = true;
  }

  /** Resolves when no response is being generated (tests). */
  async idle(): Promise<void> {
    while (this.active) await this.active.done;
  }

  receive(data: Buffer | string, isBinary = false): void {
    let clientEventId: string | null = null;
    try {
      if (isBinary) throw new ClientEventError({ message: 'Binary frames are not supported; send each event as a JSON text frame.', code: null, param: null });
      let event: unknown;
      try {
        event = JSON.parse(typeof data === 'string' ? data : data.toString('utf8'));
      } catch {
        throw new ClientEventError({ message: 'The server could not parse the event: it is not valid JSON.', code: 'invalid_json', param: null });
      }
      if (!isObject(event)) throw new ClientEventError({ message: 'An event must be a JSON object.', code: 'invalid_value', param: null });
      clientEventId = typeof event['event_id'] === 'string' ? event['event_id'] : null;
      const type = event['type'];
      if (typeof type !== 'string') throw missing('type');
      if (!(CLIENT_EVENTS as readonly string[]).includes(type)) {
        throw invalid('type', `Invalid value: '${type}'. Supported values are: ${CLIENT_EVENTS.map((t) => `'${t}'`).join(', ')}.`);
      }
      this.dispatch(type as ClientEventType, event);
    } catch (error) {
      if (!(error instanceof ClientEventError)) throw error;
      this.emit({ type: 'error', error: { type: 'invalid_request_error', ...error.detail, event_id: clientEventId } });
    }
  }

  private dispatch(type: ClientEventType, event: JsonObject): void {
    switch (type) {
      case 'session.update':
        return this.updateSession(event['session']);
      case 'input_audio_buffer.append':
        return this.append(event['audio']);
      case 'input_audio_buffer.commit':
        return this.commit();
      case 'input_audio_buffer.clear':
        this.audioBuffer = [];
        this.audioBytes = 0;
        return this.emit({ type: 'input_audio_buffer.cleared' });
      case 'conversation.item.create':
        return this.createItem(event['item'], event['previous_item_id']);
      case 'response.create':
        return this.startResponse(isObject(event['response']) ? event['response'] : {});
      case 'response.cancel':
        return this.cancel();
    }
  }

  private updateSession(patch: unknown): void {
    if (!isObject(patch)) throw missing('session');
    if (this.flavour === 'ga') {
      if (patch['type'] === undefined) throw missing('session.type');
      if (patch['type'] !== 'realtime' && patch['type'] !== 'transcription') {
        throw invalid('session.type', `Invalid value: '${String(patch['type'])}'. Supported values are: 'realtime' and 'transcription'.`);
      }
    }
    const modalitiesKey = this.flavour === 'ga' ? 'output_modalities' : 'modalities';
    const modalities = patch[modalitiesKey];
    if (modalities !== undefined && (!Array.isArray(modalities) || !modalities.every((m) => m === 'text' || m === 'audio'))) {
      throw invalid(`session.${modalitiesKey}`, `Invalid value for 'session.${modalitiesKey}': expected a list of 'text' and 'audio'.`);
    }
    if (patch['instructions'] !== undefined && typeof patch['instructions'] !== 'string') {
      throw invalid('session.instructions', "Invalid type for 'session.instructions': expected a string.");
    }
    // The server owns these; a client cannot rename or re-model the session.
    const { id: _id, object: _object, model: _model, expires_at: _expires, ...rest } = patch;
    this.session = mergeSession(this.session, rest);
    this.emit({ type: 'session.updated', session: this.session });
  }

  private append(audio: unknown): void {
    if (typeof audio !== 'string') throw missing('audio');
    if (!BASE64.test(audio) || audio.length % 4 !== 0) throw invalid('audio', "Invalid value for 'audio': expected base64-encoded audio bytes.");
    const bytes = Buffer.from(audio, 'base64');
    this.audioBuffer.push(bytes);
    this.audioBytes += bytes.length;
  }

  private commit(): void {
    if (this.audioBytes < MIN_COMMIT_BYTES) {
      const ms = ((this.audioBytes / BYTES_PER_SECOND) * 1000).toFixed(2);
      throw new ClientEventError({
        message: `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms}ms of audio.`,
        code: 'input_audio_buffer_commit_empty',
        param: null,
      });
    }
    const audio = Buffer.concat(this.audioBuffer);
    this.audioBuffer = [];
    this.audioBytes = 0;
    this.committedAudioBytes += audio.length;
    const previous = this.lastItemId();
    const item: JsonObject = {
      id: this.id('item_'),
      object: 'realtime.item',
      type: 'message',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
    };
    this.items.push({ ...item, content: [{ type: 'input_audio', transcript: `[audio ${(audio.length / BYTES_PER_SECOND).toFixed(1)}s]` }] });
    this.emit({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: item['id'] });
    this.announceItem(item, previous);
  }

  private createItem(raw: unknown, previousItemId: unknown): void {
    if (!isObject(raw)) throw missing('item');
    const type = raw['type'] ?? 'message';
    if (typeof type !== 'string' || !ITEM_TYPES.includes(type)) {
      throw invalid('item.type', `Invalid value: '${String(type)}'. Supported values are: ${ITEM_TYPES.map((t) => `'${t}'`).join(', ')}.`);
    }
    if (type === 'message') {
      if (typeof raw['role'] !== 'string' || !ROLES.includes(raw['role'])) throw missing('item.role');
      if (!Array.isArray(raw['content'])) throw missing('item.content');
    }
    if (type === 'function_call_output' && typeof raw['call_id'] !== 'string') throw missing('item.call_id');
    const previous = typeof previousItemId === 'string' ? previousItemId : this.lastItemId();
    const item: JsonObject = { id: typeof raw['id'] === 'string' ? raw['id'] : this.id('item_'), object: 'realtime.item', status: 'completed', ...raw, type };
    this.items.push(item);
    this.announceItem(item, previous);
  }

  /** conversation.item.created in both flavours; GA adds conversation.item.added and .done. */
  private announceItem(item: JsonObject, previous: string | null): void {
    this.emit({ type: 'conversation.item.created', previous_item_id: previous, item });
    if (this.flavour === 'ga') {
      this.emit({ type: 'conversation.item.added', previous_item_id: previous, item });
      this.emit({ type: 'conversation.item.done', previous_item_id: previous, item });
    }
  }

  private cancel(): void {
    if (!this.active) {
      throw new ClientEventError({ message: 'Cancellation failed: no active response found.', code: 'response_cancel_not_active', param: null });
    }
    this.active.cancelled = true;
  }

  private startResponse(overrides: JsonObject): void {
    if (this.active) {
      throw new ClientEventError({
        message: `Conversation already has an active response in progress: ${this.active.id}. Wait until the response is finished before creating a new one.`,
        code: 'conversation_already_has_active_response',
        param: null,
      });
    }
    const active: ActiveResponse = { id: this.id('resp_'), cancelled: false, done: Promise.resolve() };
    this.active = active;
    active.done = this.respond(active, overrides).finally(() => {
      if (this.active === active) this.active = undefined;
    });
  }

  private outputsAudio(overrides: JsonObject): boolean {
    const key = this.flavour === 'ga' ? 'output_modalities' : 'modalities';
    const modalities = Array.isArray(overrides[key]) ? overrides[key] : this.session[key];
    return Array.isArray(modalities) && modalities.includes('audio');
  }

  private replyText(): string {
    if (this.options.replyText !== undefined) return this.options.replyText;
    const user = [...this.items].reverse().find((item) => item['type'] === 'message' && item['role'] === 'user');
    return `echo: ${user ? itemText(user) : ''}`;
  }

  private async respond(active: ActiveResponse, overrides: JsonObject): Promise<void> {
    const ga = this.flavour === 'ga';
    const audio = this.outputsAudio(overrides);
    const limitKey = ga ? 'max_output_tokens' : 'max_response_output_tokens';
    const limit = maxTokens(overrides[limitKey]) ?? maxTokens(this.session[limitKey]);
    const { text, truncated } = truncateToTokens(this.replyText(), limit);
    const chunks = chunkText(text, this.options.chunkWords);
    const inputTextTokens = countTokens(this.items.map(itemText)) + countTokens([String(overrides['instructions'] ?? this.session['instructions'] ?? '')]);
    const inputAudioTokens = Math.ceil(this.committedAudioBytes / AUDIO_BYTES_PER_TOKEN);

    const responseId = active.id;
    const itemId = this.id('item_');
    const partType = audio ? (ga ? 'output_audio' : 'audio') : ga ? 'output_text' : 'text';
    const emptyPart = audio ? { type: partType, transcript: '' } : { type: partType, text: '' };
    const previous = this.lastItemId();
    const base = { object: 'realtime.response', id: responseId, conversation_id: 'conv_default', metadata: null };
    const item = (status: string, content: JsonObject[]): JsonObject => ({ id: itemId, object: 'realtime.item', type: 'message', status, role: 'assistant', content });
    const at = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };

    this.emit({ type: 'response.created', response: { ...base, status: 'in_progress', status_details: null, output: [], usage: null } });
    this.emit({ type: 'response.output_item.added', response_id: responseId, output_index: 0, item: item('in_progress', []) });
    this.emit({ type: 'conversation.item.created', previous_item_id: previous, item: item('in_progress', []) });
    if (ga) this.emit({ type: 'conversation.item.added', previous_item_id: previous, item: item('in_progress', []) });
    this.emit({ type: 'response.content_part.added', ...at, part: emptyPart });

    const names = audio
      ? ga
        ? { transcript: 'response.output_audio_transcript', audio: 'response.output_audio' }
        : { transcript: 'response.audio_transcript', audio: 'response.audio' }
      : { text: ga ? 'response.output_text' : 'response.text' };
    const silence = Buffer.alloc(OUTPUT_AUDIO_BYTES_PER_CHUNK).toString('base64');
    let sent = '';
    let audioOut = 0;
    for (const [index, chunk] of chunks.entries()) {
      const wait = index === 0 ? this.options.ttftMs : this.options.interChunkMs;
      if (wait > 0) await sleep(wait);
      if (active.cancelled) break;
      if (this.options.dropAfter !== undefined && index >= this.options.dropAfter) {
        this.closed = true;
        this.options.drop();
        return;
      }
      if ('text' in names) {
        this.emit({ type: `${names.text}.delta`, ...at, delta: chunk });
      } else {
        this.emit({ type: `${names.transcript}.delta`, ...at, delta: chunk });
        this.emit({ type: `${names.audio}.delta`, ...at, delta: silence });
        audioOut += OUTPUT_AUDIO_BYTES_PER_CHUNK;
      }
      sent += chunk;
    }
    if (this.closed) return;

    const status = active.cancelled ? 'cancelled' : truncated ? 'incomplete' : 'completed';
    const part = audio ? { type: partType, transcript: sent } : { type: partType, text: sent };
    if ('text' in names) {
      this.emit({ type: `${names.text}.done`, ...at, text: sent });
    } else {
      this.emit({ type: `${names.audio}.done`, ...at });
      this.emit({ type: `${names.transcript}.done`, ...at, transcript: sent });
    }
    this.emit({ type: 'response.content_part.done', ...at, part });
    const finished = item(status === 'completed' ? 'completed' : 'incomplete', [part]);
    this.emit({ type: 'response.output_item.done', response_id: responseId, output_index: 0, item: finished });
    if (ga) this.emit({ type: 'conversation.item.done', previous_item_id: previous, item: finished });
    this.items.push(finished);

    const outputText = countTokens([sent]);
    const outputAudio = Math.ceil(audioOut / AUDIO_BYTES_PER_TOKEN);
    const usage = {
      total_tokens: inputTextTokens + inputAudioTokens + outputText + outputAudio,
      input_tokens: inputTextTokens + inputAudioTokens,
      output_tokens: outputText + outputAudio,
      input_token_details: { text_tokens: inputTextTokens, audio_tokens: inputAudioTokens, cached_tokens: 0, cached_tokens_details: { text_tokens: 0, audio_tokens: 0 } },
      output_token_details: { text_tokens: outputText, audio_tokens: outputAudio },
    };
    const statusDetails =
      status === 'cancelled'
        ? { type: 'cancelled', reason: 'client_cancelled' }
        : status === 'incomplete'
          ? { type: 'incomplete', reason: ga ? 'max_output_tokens' : 'max_response_output_tokens' }
          : null;
    this.emit({ type: 'response.done', response: { ...base, status, status_details: statusDetails, output: [finished], usage } });
  }

  private lastItemId(): string | null {
    const id = this.items[this.items.length - 1]?.['id'];
    return typeof id === 'string' ? id : null;
  }

  private id(prefix: string): string {
    return prefix + this.options.randomHex(prefix === 'evt_' ? 20 : 22);
  }

  private emit(event: RealtimeEvent): void {
    if (this.closed) return;
    const { type, ...rest } = event;
    this.options.send({ type, event_id: this.id('evt_'), ...rest });
  }
}
