import type { OwnedKind } from './assistant-object.types';

/**
 * The Assistants surface, one entry per upstream operation. Path parameters name the objects the caller
 * must own (checked in order; the first pins the upstream that holds it). Messages, run steps and a
 * thread's runs are reached through their thread, so owning the thread is what counts for them.
 */
export interface AssistantsOperation {
  method: 'GET' | 'POST' | 'DELETE';
  /** After the base (`/openai/`, `/api/v1/openai/`, `/v1/`), with `:param` placeholders. */
  path: string;
  /** `write`: modifies or deletes the assistant in the path, which a shared (global) assistant refuses. */
  access: 'read' | 'write';
  body: 'json' | 'multipart' | 'none';
  /** `bytes`: file content, piped through unread. */
  response: 'json' | 'bytes';
  /** The kind of object the answer's `id` is, recorded as the caller's. */
  creates?: OwnedKind;
  /** A list to filter down to what the caller may see. */
  lists?: 'assistant' | 'file' | 'vector_store';
  /** The path object is gone after a successful answer. */
  deletes?: boolean;
  /** Starts model work: may stream, counts against the daily request cap, and carries usage. */
  run?: boolean;
}

/** Path parameter → the kind of object it names. */
export const PARAM_KINDS: Record<string, OwnedKind> = {
  assistantId: 'assistant',
  threadId: 'thread',
  fileId: 'file',
  storeId: 'vector_store',
};

const get = (path: string, extra: Partial<AssistantsOperation> = {}): AssistantsOperation => ({
  method: 'GET',
  path,
  access: 'read',
  body: 'none',
  response: 'json',
  ...extra,
});
const post = (path: string, extra: Partial<AssistantsOperation> = {}): AssistantsOperation => ({
  method: 'POST',
  path,
  access: 'read',
  body: 'json',
  response: 'json',
  ...extra,
});
const del = (path: string, extra: Partial<AssistantsOperation> = {}): AssistantsOperation => ({
  method: 'DELETE',
  path,
  access: 'read',
  body: 'none',
  response: 'json',
  deletes: true,
  ...extra,
});

export const ASSISTANTS_OPERATIONS = {
  createAssistant: post('assistants', { creates: 'assistant' }),
  listAssistants: get('assistants', { lists: 'assistant' }),
  getAssistant: get('assistants/:assistantId'),
  updateAssistant: post('assistants/:assistantId', { access: 'write' }),
  deleteAssistant: del('assistants/:assistantId', { access: 'write' }),

  createThread: post('threads', { creates: 'thread' }),
  createThreadAndRun: post('threads/runs', { creates: 'run', run: true }),
  getThread: get('threads/:threadId'),
  updateThread: post('threads/:threadId'),
  deleteThread: del('threads/:threadId'),

  createMessage: post('threads/:threadId/messages'),
  listMessages: get('threads/:threadId/messages'),
  getMessage: get('threads/:threadId/messages/:messageId'),
  updateMessage: post('threads/:threadId/messages/:messageId'),
  deleteMessage: del('threads/:threadId/messages/:messageId', { deletes: false }),

  createRun: post('threads/:threadId/runs', { creates: 'run', run: true }),
  listRuns: get('threads/:threadId/runs'),
  getRun: get('threads/:threadId/runs/:runId'),
  updateRun: post('threads/:threadId/runs/:runId'),
  cancelRun: post('threads/:threadId/runs/:runId/cancel'),
  submitToolOutputs: post('threads/:threadId/runs/:runId/submit_tool_outputs', { run: true }),
  listRunSteps: get('threads/:threadId/runs/:runId/steps'),
  getRunStep: get('threads/:threadId/runs/:runId/steps/:stepId'),

  uploadFile: post('files', { body: 'multipart', creates: 'file' }),
  listFiles: get('files', { lists: 'file' }),
  getFile: get('files/:fileId'),
  getFileContent: get('files/:fileId/content', { response: 'bytes' }),
  deleteFile: del('files/:fileId'),

  createVectorStore: post('vector_stores', { creates: 'vector_store' }),
  listVectorStores: get('vector_stores', { lists: 'vector_store' }),
  getVectorStore: get('vector_stores/:storeId'),
  updateVectorStore: post('vector_stores/:storeId'),
  deleteVectorStore: del('vector_stores/:storeId'),
  // A store's files are reached through the store; the file named in the body must be the caller's too.
  addVectorStoreFile: post('vector_stores/:storeId/files'),
  listVectorStoreFiles: get('vector_stores/:storeId/files'),
  getVectorStoreFile: get('vector_stores/:storeId/files/:vsFileId'),
  deleteVectorStoreFile: del('vector_stores/:storeId/files/:vsFileId', { deletes: false }),
} satisfies Record<string, AssistantsOperation>;

export type AssistantsOperationName = keyof typeof ASSISTANTS_OPERATIONS;

/** The concrete upstream path: placeholders replaced by the (encoded) parameters. */
export function concretePath(template: string, params: Record<string, string>): string {
  return template.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

/** Where a body names other objects (run → assistant, message → files, store → files), with their kind. */
const REFERENCE_KEYS: Record<string, OwnedKind> = {
  assistant_id: 'assistant',
  file_id: 'file',
  file_ids: 'file',
  vector_store_id: 'vector_store',
  vector_store_ids: 'vector_store',
};
const MAX_DEPTH = 8;

export interface Reference {
  id: string;
  kind: OwnedKind;
  /** The field it came from, reported as `param` when refused. */
  param: string;
}

/**
 * Every object id a request body refers to (attachments, tool resources, image files in message
 * content…), so a key cannot reach another attendee's file or assistant through a body field.
 * `metadata` is the client's free text and is skipped.
 */
export function referencedIds(body: unknown): Reference[] {
  const found: Reference[] = [];
  const walk = (value: unknown, depth: number) => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'metadata') continue;
      const kind = REFERENCE_KEYS[key];
      if (kind && typeof child === 'string') {
        found.push({ id: child, kind, param: key });
      } else if (kind && Array.isArray(child)) {
        for (const id of child) if (typeof id === 'string') found.push({ id, kind, param: key });
      } else {
        walk(child, depth + 1);
      }
    }
  };
  walk(body, 0);
  return found;
}
