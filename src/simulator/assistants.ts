import { countTokens, echoReply, sha1Hex } from './content';
import { SimulatedError } from './errors';
import { type JsonObject, contentText, isObject } from './prompt';

/**
 * A stateful, in-memory Assistants API (assistants, threads, messages, runs, run steps, files and vector
 * stores) with OpenAI's object shapes. Framework-free so it is unit-tested directly; the routes in
 * routes/assistants.routes.ts map HTTP onto it. A run completes lazily: the first read after
 * `runDelayMs` finds it completed with an assistant message and usage, so no timer outlives a test.
 */

export type ObjectKind =
  'assistant' | 'thread' | 'message' | 'run' | 'step' | 'file' | 'vector_store' | 'vector_store_file';

const PREFIX: Record<ObjectKind, string> = {
  assistant: 'asst_',
  thread: 'thread_',
  message: 'msg_',
  run: 'run_',
  step: 'step_',
  file: 'file-',
  vector_store: 'vs_',
  vector_store_file: 'file-',
};

const NOUN: Record<ObjectKind, string> = {
  assistant: 'assistant',
  thread: 'thread',
  message: 'message',
  run: 'run',
  step: 'run step',
  file: 'file',
  vector_store: 'vector store',
  vector_store_file: 'vector store file',
};

/** OpenAI's own wording for a missing object; `code` is null there. */
export function notFound(kind: ObjectKind, id: string): SimulatedError {
  return new SimulatedError(404, {
    error: {
      message: `No ${NOUN[kind]} found with id '${id}'.`,
      type: 'invalid_request_error',
      param: null,
      code: null,
    },
  });
}

function invalid(message: string, param: string | null = null): SimulatedError {
  return new SimulatedError(400, { error: { message, type: 'invalid_request_error', param, code: null } });
}

export interface ListQuery {
  limit?: number;
  order?: 'asc' | 'desc';
  after?: string;
  before?: string;
}

export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

interface Created {
  id: string;
  created_at: number;
}

/** OpenAI's cursor pagination: newest first by default, `after`/`before` are ids of the previous page's ends. */
export function paginate<T extends Created>(all: readonly T[], query: ListQuery): ListPage<T> {
  const limit = query.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw invalid('limit must be an integer between 1 and 100.', 'limit');
  // Insertion order breaks ties between objects created in the same second.
  const ordered = query.order === 'asc' ? [...all] : [...all].reverse();
  let start = 0;
  let end = ordered.length;
  if (query.after !== undefined) {
    const at = ordered.findIndex((o) => o.id === query.after);
    start = at < 0 ? ordered.length : at + 1;
  }
  if (query.before !== undefined) {
    const at = ordered.findIndex((o) => o.id === query.before);
    end = at < 0 ? 0 : at;
    start = Math.max(start, end - limit);
  }
  const window = ordered.slice(start, end);
  const data = window.slice(0, limit);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: window.length > data.length,
  };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

interface AssistantObject extends Created {
  object: 'assistant';
  name: string | null;
  description: string | null;
  model: string;
  instructions: string | null;
  tools: unknown[];
  tool_resources: unknown;
  metadata: Record<string, string>;
  temperature: number | null;
  top_p: number | null;
  response_format: unknown;
}

interface ThreadObject extends Created {
  object: 'thread';
  metadata: Record<string, string>;
  tool_resources: unknown;
}

interface MessageObject extends Created {
  object: 'thread.message';
  thread_id: string;
  role: 'user' | 'assistant';
  content: { type: 'text'; text: { value: string; annotations: unknown[] } }[];
  assistant_id: string | null;
  run_id: string | null;
  attachments: unknown[];
  metadata: Record<string, string>;
  status: 'completed';
  incomplete_details: null;
  completed_at: number;
  incomplete_at: null;
}

export type RunStatus =
  | 'queued'
  | 'in_progress'
  | 'completed'
  | 'cancelled'
  | 'failed'
  | 'expired'
  | 'requires_action'
  | 'incomplete'
  | 'cancelling';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface RunObject extends Created {
  object: 'thread.run';
  thread_id: string;
  assistant_id: string;
  status: RunStatus;
  model: string;
  instructions: string;
  tools: unknown[];
  metadata: Record<string, string>;
  usage: Usage | null;
  started_at: number | null;
  completed_at: number | null;
  cancelled_at: number | null;
  failed_at: number | null;
  expires_at: number | null;
  last_error: null;
  required_action: { type: 'submit_tool_outputs'; submit_tool_outputs: { tool_calls: ToolCall[] } } | null;
  incomplete_details: null;
  max_completion_tokens: number | null;
  max_prompt_tokens: number | null;
  temperature: number | null;
  top_p: number | null;
  truncation_strategy: { type: 'auto'; last_messages: null };
  tool_choice: unknown;
  parallel_tool_calls: boolean;
  response_format: unknown;
}

interface StepObject extends Created {
  object: 'thread.run.step';
  run_id: string;
  thread_id: string;
  assistant_id: string;
  type: 'message_creation';
  status: 'completed';
  step_details: { type: 'message_creation'; message_creation: { message_id: string } };
  usage: Usage;
  completed_at: number;
  cancelled_at: null;
  failed_at: null;
  expired_at: null;
  last_error: null;
  metadata: Record<string, string>;
}

export interface FileObject extends Created {
  object: 'file';
  bytes: number;
  filename: string;
  purpose: string;
  status: 'processed';
  status_details: null;
}

interface VectorStoreObject extends Created {
  object: 'vector_store';
  name: string | null;
  usage_bytes: number;
  file_counts: { in_progress: 0; completed: number; failed: 0; cancelled: 0; total: number };
  status: 'completed';
  metadata: Record<string, string>;
  expires_after: null;
  expires_at: null;
  last_active_at: number;
}

interface VectorStoreFileObject extends Created {
  object: 'vector_store.file';
  vector_store_id: string;
  status: 'completed';
  usage_bytes: number;
  last_error: null;
}

/** A run's progress as stream events, in the order OpenAI's SSE stream names them. */
export interface AssistantEvent {
  event: string;
  data: unknown;
}

export interface AssistantsClock {
  /** Unix seconds for `created_at`. */
  seconds(): number;
  /** Milliseconds, for run completion. */
  nowMs(): number;
}

export interface AssistantsOptions {
  /** How long a non-streamed run stays queued before a read finds it completed. */
  runDelayMs: number;
  /** Fixed reply text; by default "echo: " + the thread's last user message. */
  replyText?: () => string | undefined;
  /** A run with a function tool whose thread's last user message contains this word stops for a tool call. */
  toolCallTrigger?: () => string;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function metadataOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalid('metadata must be an object of strings.', 'metadata');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalid('metadata values must be strings.', 'metadata');
    out[k] = v;
  }
  return out;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function messageContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return contentText(content);
  throw invalid("'content' must be a string or an array of content parts.", 'content');
}

export class AssistantsStore {
  private counter = 0;
  private readonly assistants = new Map<string, AssistantObject>();
  private readonly threads = new Map<string, ThreadObject>();
  private readonly messages = new Map<string, MessageObject[]>();
  private readonly runs = new Map<string, RunObject[]>();
  private readonly steps = new Map<string, StepObject[]>();
  private readonly files = new Map<string, { file: FileObject; data: Buffer }>();
  private readonly vectorStores = new Map<string, VectorStoreObject>();
  private readonly vectorStoreFiles = new Map<string, VectorStoreFileObject[]>();
  /** Absolute completion time (ms) of runs still queued. */
  private readonly dueAt = new Map<string, number>();

  constructor(
    private readonly clock: AssistantsClock,
    private readonly options: AssistantsOptions,
  ) {}

  clear(): void {
    for (const map of [
      this.assistants,
      this.threads,
      this.messages,
      this.runs,
      this.steps,
      this.files,
      this.vectorStores,
      this.vectorStoreFiles,
      this.dueAt,
    ])
      map.clear();
  }

  private id(kind: ObjectKind): string {
    this.counter += 1;
    return PREFIX[kind] + sha1Hex(`${kind}:${this.counter}`).slice(0, 24);
  }

  // ---- assistants

  createAssistant(body: JsonObject): AssistantObject {
    if (typeof body['model'] !== 'string' || body['model'] === '')
      throw invalid("Missing required parameter: 'model'.", 'model');
    const assistant: AssistantObject = {
      id: this.id('assistant'),
      object: 'assistant',
      created_at: this.clock.seconds(),
      name: text(body['name']),
      description: text(body['description']),
      model: body['model'],
      instructions: text(body['instructions']),
      tools: Array.isArray(body['tools']) ? body['tools'] : [],
      tool_resources: isObject(body['tool_resources']) ? body['tool_resources'] : {},
      metadata: metadataOf(body['metadata']),
      temperature: numberOrNull(body['temperature']) ?? 1,
      top_p: numberOrNull(body['top_p']) ?? 1,
      response_format: body['response_format'] ?? 'auto',
    };
    this.assistants.set(assistant.id, assistant);
    return assistant;
  }

  getAssistant(id: string): AssistantObject {
    const found = this.assistants.get(id);
    if (!found) throw notFound('assistant', id);
    return found;
  }

  updateAssistant(id: string, body: JsonObject): AssistantObject {
    const found = this.getAssistant(id);
    for (const field of ['name', 'description', 'instructions'] as const)
      if (field in body) found[field] = text(body[field]);
    if (typeof body['model'] === 'string' && body['model']) found.model = body['model'];
    if (Array.isArray(body['tools'])) found.tools = body['tools'];
    if (isObject(body['tool_resources'])) found.tool_resources = body['tool_resources'];
    if ('metadata' in body) found.metadata = metadataOf(body['metadata']);
    if ('temperature' in body) found.temperature = numberOrNull(body['temperature']);
    if ('top_p' in body) found.top_p = numberOrNull(body['top_p']);
    return found;
  }

  deleteAssistant(id: string): { id: string; object: 'assistant.deleted'; deleted: true } {
    this.getAssistant(id);
    this.assistants.delete(id);
    return { id, object: 'assistant.deleted', deleted: true };
  }

  listAssistants(query: ListQuery): ListPage<AssistantObject> {
    return paginate([...this.assistants.values()], query);
  }

  // ---- threads and messages

  createThread(body: JsonObject): ThreadObject {
    const thread: ThreadObject = {
      id: this.id('thread'),
      object: 'thread',
      created_at: this.clock.seconds(),
      metadata: metadataOf(body['metadata']),
      tool_resources: isObject(body['tool_resources']) ? body['tool_resources'] : {},
    };
    const initial = body['messages'] ?? [];
    if (!Array.isArray(initial)) throw invalid("'messages' must be an array.", 'messages');
    // Validate every message before anything is stored, so a bad one leaves no half-made thread.
    for (const m of initial) if (!isObject(m)) throw invalid('Each message must be an object.', 'messages');
    this.threads.set(thread.id, thread);
    this.messages.set(thread.id, []);
    this.runs.set(thread.id, []);
    for (const m of initial as JsonObject[]) this.createMessage(thread.id, m);
    return thread;
  }

  getThread(id: string): ThreadObject {
    const found = this.threads.get(id);
    if (!found) throw notFound('thread', id);
    return found;
  }

  updateThread(id: string, body: JsonObject): ThreadObject {
    const found = this.getThread(id);
    if ('metadata' in body) found.metadata = metadataOf(body['metadata']);
    if (isObject(body['tool_resources'])) found.tool_resources = body['tool_resources'];
    return found;
  }

  deleteThread(id: string): { id: string; object: 'thread.deleted'; deleted: true } {
    this.getThread(id);
    for (const run of this.runs.get(id) ?? []) {
      this.steps.delete(run.id);
      this.dueAt.delete(run.id);
    }
    this.threads.delete(id);
    this.messages.delete(id);
    this.runs.delete(id);
    return { id, object: 'thread.deleted', deleted: true };
  }

  createMessage(
    threadId: string,
    body: JsonObject,
    from?: { role: 'assistant'; assistantId: string; runId: string },
  ): MessageObject {
    this.getThread(threadId);
    const role = from?.role ?? body['role'];
    if (role !== 'user' && role !== 'assistant')
      throw invalid("'role' must be 'user' or 'assistant'.", 'role');
    if (this.activeRun(threadId) && !from) {
      throw invalid(
        `Can't add messages to ${threadId} while a run ${this.activeRun(threadId)?.id} is active.`,
      );
    }
    const now = this.clock.seconds();
    const message: MessageObject = {
      id: this.id('message'),
      object: 'thread.message',
      created_at: now,
      thread_id: threadId,
      role,
      content: [{ type: 'text', text: { value: messageContent(body['content']), annotations: [] } }],
      assistant_id: from?.assistantId ?? null,
      run_id: from?.runId ?? null,
      attachments: Array.isArray(body['attachments']) ? body['attachments'] : [],
      metadata: metadataOf(body['metadata']),
      status: 'completed',
      incomplete_details: null,
      completed_at: now,
      incomplete_at: null,
    };
    this.messages.get(threadId)?.push(message);
    return message;
  }

  listMessages(threadId: string, query: ListQuery & { run_id?: string }): ListPage<MessageObject> {
    this.settle(threadId);
    this.getThread(threadId);
    const all = this.messages.get(threadId) ?? [];
    return paginate(query.run_id === undefined ? all : all.filter((m) => m.run_id === query.run_id), query);
  }

  getMessage(threadId: string, id: string): MessageObject {
    this.settle(threadId);
    this.getThread(threadId);
    const found = this.messages.get(threadId)?.find((m) => m.id === id);
    if (!found) throw notFound('message', id);
    return found;
  }

  updateMessage(threadId: string, id: string, body: JsonObject): MessageObject {
    const found = this.getMessage(threadId, id);
    if ('metadata' in body) found.metadata = metadataOf(body['metadata']);
    return found;
  }

  deleteMessage(
    threadId: string,
    id: string,
  ): { id: string; object: 'thread.message.deleted'; deleted: true } {
    this.getMessage(threadId, id);
    const list = this.messages.get(threadId) ?? [];
    list.splice(
      list.findIndex((m) => m.id === id),
      1,
    );
    return { id, object: 'thread.message.deleted', deleted: true };
  }

  // ---- runs

  /** Starts a run; with `immediate` (streaming) it completes at once and the events describe it. */
  createRun(
    threadId: string,
    body: JsonObject,
    immediate = false,
  ): { run: RunObject; events: AssistantEvent[] } {
    this.getThread(threadId);
    this.settle(threadId);
    const assistantId = body['assistant_id'];
    if (typeof assistantId !== 'string' || !assistantId)
      throw invalid("Missing required parameter: 'assistant_id'.", 'assistant_id');
    const assistant = this.getAssistant(assistantId);
    const active = this.activeRun(threadId);
    if (active) throw invalid(`Thread ${threadId} already has an active run ${active.id}.`);
    const extra = body['additional_messages'];
    if (extra !== undefined && extra !== null) {
      if (!Array.isArray(extra))
        throw invalid("'additional_messages' must be an array.", 'additional_messages');
      for (const m of extra) if (isObject(m)) this.createMessage(threadId, m);
    }
    const now = this.clock.seconds();
    const run: RunObject = {
      id: this.id('run'),
      object: 'thread.run',
      created_at: now,
      thread_id: threadId,
      assistant_id: assistant.id,
      status: 'queued',
      model: typeof body['model'] === 'string' && body['model'] ? body['model'] : assistant.model,
      instructions: text(body['instructions']) ?? assistant.instructions ?? '',
      tools: Array.isArray(body['tools']) ? body['tools'] : assistant.tools,
      metadata: metadataOf(body['metadata']),
      usage: null,
      started_at: null,
      completed_at: null,
      cancelled_at: null,
      failed_at: null,
      expires_at: now + 600,
      last_error: null,
      required_action: null,
      incomplete_details: null,
      max_completion_tokens: numberOrNull(body['max_completion_tokens']),
      max_prompt_tokens: numberOrNull(body['max_prompt_tokens']),
      temperature: numberOrNull(body['temperature']) ?? assistant.temperature,
      top_p: numberOrNull(body['top_p']) ?? assistant.top_p,
      truncation_strategy: { type: 'auto', last_messages: null },
      tool_choice: body['tool_choice'] ?? 'auto',
      parallel_tool_calls: body['parallel_tool_calls'] !== false,
      response_format: body['response_format'] ?? assistant.response_format,
    };
    this.runs.get(threadId)?.push(run);
    this.steps.set(run.id, []);
    if (!immediate) {
      this.dueAt.set(run.id, this.clock.nowMs() + this.options.runDelayMs);
      return { run, events: [] };
    }
    const events: AssistantEvent[] = [
      { event: 'thread.run.created', data: { ...run } },
      { event: 'thread.run.queued', data: { ...run } },
    ];
    run.status = 'in_progress';
    run.started_at = now;
    events.push({ event: 'thread.run.in_progress', data: { ...run } });
    events.push(...this.finish(run, true));
    return { run, events };
  }

  /** POST /threads/runs: a new thread with its messages, and a run on it. */
  createThreadAndRun(
    body: JsonObject,
    immediate = false,
  ): { thread: ThreadObject; run: RunObject; events: AssistantEvent[] } {
    const assistantId = body['assistant_id'];
    if (typeof assistantId !== 'string' || !assistantId)
      throw invalid("Missing required parameter: 'assistant_id'.", 'assistant_id');
    this.getAssistant(assistantId);
    const thread = this.createThread(isObject(body['thread']) ? body['thread'] : {});
    const { thread: _thread, ...runBody } = body;
    const { run, events } = this.createRun(thread.id, runBody, immediate);
    return {
      thread,
      run,
      events: immediate ? [{ event: 'thread.created', data: thread }, ...events] : events,
    };
  }

  getRun(threadId: string, id: string): RunObject {
    this.settle(threadId);
    this.getThread(threadId);
    const found = this.runs.get(threadId)?.find((r) => r.id === id);
    if (!found) throw notFound('run', id);
    return found;
  }

  listRuns(threadId: string, query: ListQuery): ListPage<RunObject> {
    this.settle(threadId);
    this.getThread(threadId);
    return paginate(this.runs.get(threadId) ?? [], query);
  }

  updateRun(threadId: string, id: string, body: JsonObject): RunObject {
    const found = this.getRun(threadId, id);
    if ('metadata' in body) found.metadata = metadataOf(body['metadata']);
    return found;
  }

  cancelRun(threadId: string, id: string): RunObject {
    const run = this.getRun(threadId, id);
    if (run.status !== 'queued' && run.status !== 'in_progress' && run.status !== 'requires_action')
      throw invalid(`Cannot cancel run with status '${run.status}'.`);
    run.status = 'cancelled';
    run.required_action = null;
    run.cancelled_at = this.clock.seconds();
    this.dueAt.delete(run.id);
    return run;
  }

  listSteps(threadId: string, runId: string, query: ListQuery): ListPage<StepObject> {
    this.getRun(threadId, runId);
    return paginate(this.steps.get(runId) ?? [], query);
  }

  getStep(threadId: string, runId: string, id: string): StepObject {
    this.getRun(threadId, runId);
    const found = this.steps.get(runId)?.find((s) => s.id === id);
    if (!found) throw notFound('step', id);
    return found;
  }

  private activeRun(threadId: string): RunObject | undefined {
    return this.runs
      .get(threadId)
      ?.find((r) => r.status === 'queued' || r.status === 'in_progress' || r.status === 'requires_action');
  }

  /** Completes the thread's queued runs whose delay has passed. */
  private settle(threadId: string): void {
    for (const run of this.runs.get(threadId) ?? []) {
      const due = this.dueAt.get(run.id);
      if (due !== undefined && due <= this.clock.nowMs()) {
        this.dueAt.delete(run.id);
        run.started_at = this.clock.seconds();
        this.finish(run, false);
      }
    }
  }

  /**
   * Answers the tool outputs of a run waiting for them: the run completes with "echo: " + the outputs
   * (streamed: as events from thread.run.in_progress on).
   */
  submitToolOutputs(
    threadId: string,
    runId: string,
    body: JsonObject,
    immediate = false,
  ): { run: RunObject; events: AssistantEvent[] } {
    const run = this.getRun(threadId, runId);
    const pending = run.required_action?.submit_tool_outputs.tool_calls ?? [];
    if (run.status !== 'requires_action')
      throw invalid(`Runs in status '${run.status}' do not accept tool outputs.`);
    const outputs = body['tool_outputs'];
    if (!Array.isArray(outputs) || outputs.length === 0)
      throw invalid("Missing required parameter: 'tool_outputs'.", 'tool_outputs');
    const byId = new Map<string, string>();
    for (const o of outputs) {
      if (!isObject(o) || typeof o['tool_call_id'] !== 'string')
        throw invalid('Each tool output needs a tool_call_id.', 'tool_outputs');
      byId.set(o['tool_call_id'], typeof o['output'] === 'string' ? o['output'] : '');
    }
    const missing = pending.find((call) => !byId.has(call.id));
    if (missing)
      throw invalid(
        `Expected tool outputs for call_ids ${pending.map((c) => c.id).join(', ')}, got ${[...byId.keys()].join(', ')}.`,
        'tool_outputs',
      );
    run.required_action = null;
    run.status = 'in_progress';
    const reply = echoReply(pending.map((call) => byId.get(call.id)).join(' '), this.options.replyText?.());
    const events = this.complete(run, immediate, reply);
    return {
      run,
      events: immediate
        ? [
            { event: 'thread.run.in_progress', data: { ...run, status: 'in_progress', usage: null } },
            ...events,
          ]
        : [],
    };
  }

  /** A run stops for a tool call when asked to (see toolCallTrigger), and completes otherwise. */
  private finish(run: RunObject, streamed: boolean): AssistantEvent[] {
    const trigger = this.options.toolCallTrigger?.();
    const tool = run.tools.find(
      (t): t is { type: 'function'; function: { name: string } } =>
        isObject(t) &&
        t['type'] === 'function' &&
        isObject(t['function']) &&
        typeof t['function']['name'] === 'string',
    );
    const history = this.messages.get(run.thread_id) ?? [];
    const lastUser = [...history].reverse().find((m) => m.role === 'user');
    const text = lastUser ? lastUser.content.map((c) => c.text.value).join('') : '';
    if (!tool || !trigger || !text.toLowerCase().includes(trigger.toLowerCase()))
      return this.complete(run, streamed);
    const call: ToolCall = {
      id: `call_${sha1Hex(`${run.id}:call`).slice(0, 24)}`,
      type: 'function',
      function: { name: tool.function.name, arguments: JSON.stringify({ query: text }) },
    };
    run.status = 'requires_action';
    run.required_action = { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: [call] } };
    return streamed ? [{ event: 'thread.run.requires_action', data: { ...run } }] : [];
  }

  /** The assistant's answer: "echo: " + the last user message; usage counts the thread and the instructions. */
  private complete(run: RunObject, streamed: boolean, replyOverride?: string): AssistantEvent[] {
    const history = this.messages.get(run.thread_id) ?? [];
    const texts = history.map((m) => m.content.map((c) => c.text.value).join(''));
    const lastUser = [...history].reverse().find((m) => m.role === 'user');
    const reply =
      replyOverride ??
      echoReply(
        lastUser ? lastUser.content.map((c) => c.text.value).join('') : '',
        this.options.replyText?.(),
      );
    const usage: Usage = {
      prompt_tokens: countTokens([run.instructions, ...texts]),
      completion_tokens: countTokens([reply]),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const message = this.createMessage(
      run.thread_id,
      { content: reply },
      { role: 'assistant', assistantId: run.assistant_id, runId: run.id },
    );
    const now = this.clock.seconds();
    const step: StepObject = {
      id: this.id('step'),
      object: 'thread.run.step',
      created_at: now,
      run_id: run.id,
      thread_id: run.thread_id,
      assistant_id: run.assistant_id,
      type: 'message_creation',
      status: 'completed',
      step_details: { type: 'message_creation', message_creation: { message_id: message.id } },
      usage,
      completed_at: now,
      cancelled_at: null,
      failed_at: null,
      expired_at: null,
      last_error: null,
      metadata: {},
    };
    this.steps.get(run.id)?.push(step);
    run.status = 'completed';
    run.completed_at = now;
    run.usage = usage;
    if (!streamed) return [];
    const inProgress = { ...message, status: 'in_progress', content: [], completed_at: null };
    return [
      {
        event: 'thread.run.step.created',
        data: { ...step, status: 'in_progress', usage: null, completed_at: null },
      },
      {
        event: 'thread.run.step.in_progress',
        data: { ...step, status: 'in_progress', usage: null, completed_at: null },
      },
      { event: 'thread.message.created', data: inProgress },
      { event: 'thread.message.in_progress', data: inProgress },
      {
        event: 'thread.message.delta',
        data: {
          id: message.id,
          object: 'thread.message.delta',
          delta: { content: [{ index: 0, type: 'text', text: { value: reply, annotations: [] } }] },
        },
      },
      { event: 'thread.message.completed', data: message },
      { event: 'thread.run.step.completed', data: step },
      { event: 'thread.run.completed', data: { ...run } },
    ];
  }

  // ---- files

  createFile(purpose: string | undefined, file: { filename: string; data: Buffer } | undefined): FileObject {
    if (!purpose) throw invalid("Missing required parameter: 'purpose'.", 'purpose');
    if (!file) throw invalid("Missing required parameter: 'file'.", 'file');
    const created: FileObject = {
      id: this.id('file'),
      object: 'file',
      created_at: this.clock.seconds(),
      bytes: file.data.length,
      filename: file.filename,
      purpose,
      status: 'processed',
      status_details: null,
    };
    this.files.set(created.id, { file: created, data: file.data });
    return created;
  }

  getFile(id: string): FileObject {
    const found = this.files.get(id);
    if (!found) throw notFound('file', id);
    return found.file;
  }

  fileContent(id: string): Buffer {
    this.getFile(id);
    return this.files.get(id)?.data ?? Buffer.alloc(0);
  }

  deleteFile(id: string): { id: string; object: 'file'; deleted: true } {
    this.getFile(id);
    this.files.delete(id);
    return { id, object: 'file', deleted: true };
  }

  listFiles(query: ListQuery & { purpose?: string }): ListPage<FileObject> {
    const all = [...this.files.values()].map((f) => f.file);
    return paginate(
      query.purpose === undefined ? all : all.filter((f) => f.purpose === query.purpose),
      query,
    );
  }

  // ---- vector stores

  createVectorStore(body: JsonObject): VectorStoreObject {
    const ids = body['file_ids'] ?? [];
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
      throw invalid("'file_ids' must be an array of file ids.", 'file_ids');
    for (const id of ids as string[]) this.getFile(id);
    const now = this.clock.seconds();
    const store: VectorStoreObject = {
      id: this.id('vector_store'),
      object: 'vector_store',
      created_at: now,
      name: text(body['name']),
      usage_bytes: 0,
      file_counts: { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 },
      status: 'completed',
      metadata: metadataOf(body['metadata']),
      expires_after: null,
      expires_at: null,
      last_active_at: now,
    };
    this.vectorStores.set(store.id, store);
    this.vectorStoreFiles.set(store.id, []);
    for (const id of ids as string[]) this.addVectorStoreFile(store.id, { file_id: id });
    return store;
  }

  getVectorStore(id: string): VectorStoreObject {
    const found = this.vectorStores.get(id);
    if (!found) throw notFound('vector_store', id);
    return found;
  }

  updateVectorStore(id: string, body: JsonObject): VectorStoreObject {
    const found = this.getVectorStore(id);
    if ('name' in body) found.name = text(body['name']);
    if ('metadata' in body) found.metadata = metadataOf(body['metadata']);
    return found;
  }

  deleteVectorStore(id: string): { id: string; object: 'vector_store.deleted'; deleted: true } {
    this.getVectorStore(id);
    this.vectorStores.delete(id);
    this.vectorStoreFiles.delete(id);
    return { id, object: 'vector_store.deleted', deleted: true };
  }

  listVectorStores(query: ListQuery): ListPage<VectorStoreObject> {
    return paginate([...this.vectorStores.values()], query);
  }

  addVectorStoreFile(storeId: string, body: JsonObject): VectorStoreFileObject {
    const store = this.getVectorStore(storeId);
    const fileId = body['file_id'];
    if (typeof fileId !== 'string' || !fileId)
      throw invalid("Missing required parameter: 'file_id'.", 'file_id');
    const file = this.getFile(fileId);
    const list = this.vectorStoreFiles.get(storeId) ?? [];
    const existing = list.find((f) => f.id === fileId);
    if (existing) return existing;
    const entry: VectorStoreFileObject = {
      id: file.id,
      object: 'vector_store.file',
      created_at: this.clock.seconds(),
      vector_store_id: storeId,
      status: 'completed',
      usage_bytes: file.bytes,
      last_error: null,
    };
    list.push(entry);
    store.usage_bytes += file.bytes;
    store.file_counts.completed += 1;
    store.file_counts.total += 1;
    return entry;
  }

  getVectorStoreFile(storeId: string, fileId: string): VectorStoreFileObject {
    this.getVectorStore(storeId);
    const found = this.vectorStoreFiles.get(storeId)?.find((f) => f.id === fileId);
    if (!found) throw notFound('vector_store_file', fileId);
    return found;
  }

  listVectorStoreFiles(storeId: string, query: ListQuery): ListPage<VectorStoreFileObject> {
    this.getVectorStore(storeId);
    return paginate(this.vectorStoreFiles.get(storeId) ?? [], query);
  }

  deleteVectorStoreFile(
    storeId: string,
    fileId: string,
  ): { id: string; object: 'vector_store.file.deleted'; deleted: true } {
    const entry = this.getVectorStoreFile(storeId, fileId);
    const store = this.getVectorStore(storeId);
    const list = this.vectorStoreFiles.get(storeId) ?? [];
    list.splice(list.indexOf(entry), 1);
    store.usage_bytes -= entry.usage_bytes;
    store.file_counts.completed -= 1;
    store.file_counts.total -= 1;
    return { id: fileId, object: 'vector_store.file.deleted', deleted: true };
  }
}
