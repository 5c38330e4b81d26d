import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AssistantEvent, AssistantsStore, type ListQuery } from '../assistants';
import { authorize } from '../auth';
import { type Surface, SimulatedError, errors } from '../errors';
import { MultipartError, boundaryOf, multipartFields, parseMultipart } from '../multipart';
import { FaultHeaderError, resolveFaults } from '../faults';
import { baseHeaders, delay, sendError } from '../pipeline';
import { type JsonObject, isObject } from '../prompt';
import type { SimulatorState } from '../simulator.state';

type Params = Record<string, string>;
type Handler = (
  store: AssistantsStore,
  p: Params,
  body: JsonObject,
  query: Record<string, string | undefined>,
  request: FastifyRequest,
) => unknown;

const DATED_API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
/** Long enough that a client sees a queued run, short enough that polling tests finish quickly. */
const RUN_DELAY_MS = 150;

function listQuery(query: Record<string, string | undefined>): ListQuery {
  const order = query['order'];
  if (order !== undefined && order !== 'asc' && order !== 'desc')
    throw errors.badRequest("order must be 'asc' or 'desc'.", 'order');
  const limit = query['limit'] === undefined ? undefined : Number(query['limit']);
  return { limit, order, after: query['after'], before: query['before'] };
}

function jsonBody(body: unknown): JsonObject {
  if (body === undefined || body === null) return {};
  if (!isObject(body)) throw errors.badRequest('We could not parse the JSON body of your request.');
  return body;
}

/** Streams a run's events as OpenAI does: named events, then `event: done` / `data: [DONE]`. */
function sendEvents(reply: FastifyReply, headers: Record<string, string>, events: AssistantEvent[]): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  for (const e of events) res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
  res.end('event: done\ndata: [DONE]\n\n');
}

const STREAM = Symbol('stream');
interface Streamed {
  [STREAM]: AssistantEvent[];
}
const streamed = (events: AssistantEvent[]): Streamed => ({ [STREAM]: events });

const ROUTES: [method: 'GET' | 'POST' | 'DELETE', path: string, handler: Handler][] = [
  ['POST', 'assistants', (s, _p, b) => s.createAssistant(b)],
  ['GET', 'assistants', (s, _p, _b, q) => s.listAssistants(listQuery(q))],
  ['GET', 'assistants/:assistantId', (s, p) => s.getAssistant(p.assistantId)],
  ['POST', 'assistants/:assistantId', (s, p, b) => s.updateAssistant(p.assistantId, b)],
  ['DELETE', 'assistants/:assistantId', (s, p) => s.deleteAssistant(p.assistantId)],

  ['POST', 'threads', (s, _p, b) => s.createThread(b)],
  [
    'POST',
    'threads/runs',
    (s, _p, b) =>
      b['stream'] === true ? streamed(s.createThreadAndRun(b, true).events) : s.createThreadAndRun(b).run,
  ],
  ['GET', 'threads/:threadId', (s, p) => s.getThread(p.threadId)],
  ['POST', 'threads/:threadId', (s, p, b) => s.updateThread(p.threadId, b)],
  ['DELETE', 'threads/:threadId', (s, p) => s.deleteThread(p.threadId)],

  ['POST', 'threads/:threadId/messages', (s, p, b) => s.createMessage(p.threadId, b)],
  [
    'GET',
    'threads/:threadId/messages',
    (s, p, _b, q) => s.listMessages(p.threadId, { ...listQuery(q), run_id: q['run_id'] }),
  ],
  ['GET', 'threads/:threadId/messages/:messageId', (s, p) => s.getMessage(p.threadId, p.messageId)],
  ['POST', 'threads/:threadId/messages/:messageId', (s, p, b) => s.updateMessage(p.threadId, p.messageId, b)],
  ['DELETE', 'threads/:threadId/messages/:messageId', (s, p) => s.deleteMessage(p.threadId, p.messageId)],

  [
    'POST',
    'threads/:threadId/runs',
    (s, p, b) =>
      b['stream'] === true
        ? streamed(s.createRun(p.threadId, b, true).events)
        : s.createRun(p.threadId, b).run,
  ],
  ['GET', 'threads/:threadId/runs', (s, p, _b, q) => s.listRuns(p.threadId, listQuery(q))],
  ['GET', 'threads/:threadId/runs/:runId', (s, p) => s.getRun(p.threadId, p.runId)],
  ['POST', 'threads/:threadId/runs/:runId', (s, p, b) => s.updateRun(p.threadId, p.runId, b)],
  [
    'POST',
    'threads/:threadId/runs/:runId/submit_tool_outputs',
    (s, p, b) =>
      b['stream'] === true
        ? streamed(s.submitToolOutputs(p.threadId, p.runId, b, true).events)
        : s.submitToolOutputs(p.threadId, p.runId, b).run,
  ],
  ['POST', 'threads/:threadId/runs/:runId/cancel', (s, p) => s.cancelRun(p.threadId, p.runId)],
  [
    'GET',
    'threads/:threadId/runs/:runId/steps',
    (s, p, _b, q) => s.listSteps(p.threadId, p.runId, listQuery(q)),
  ],
  ['GET', 'threads/:threadId/runs/:runId/steps/:stepId', (s, p) => s.getStep(p.threadId, p.runId, p.stepId)],

  ['POST', 'files', (s, _p, _b, _q, request) => uploadFile(s, request)],
  ['GET', 'files', (s, _p, _b, q) => s.listFiles({ ...listQuery(q), purpose: q['purpose'] })],
  ['GET', 'files/:fileId', (s, p) => s.getFile(p.fileId)],
  ['DELETE', 'files/:fileId', (s, p) => s.deleteFile(p.fileId)],
  ['GET', 'files/:fileId/content', (s, p) => s.fileContent(p.fileId)],

  ['POST', 'vector_stores', (s, _p, b) => s.createVectorStore(b)],
  ['GET', 'vector_stores', (s, _p, _b, q) => s.listVectorStores(listQuery(q))],
  ['GET', 'vector_stores/:storeId', (s, p) => s.getVectorStore(p.storeId)],
  ['POST', 'vector_stores/:storeId', (s, p, b) => s.updateVectorStore(p.storeId, b)],
  ['DELETE', 'vector_stores/:storeId', (s, p) => s.deleteVectorStore(p.storeId)],
  ['POST', 'vector_stores/:storeId/files', (s, p, b) => s.addVectorStoreFile(p.storeId, b)],
  ['GET', 'vector_stores/:storeId/files', (s, p, _b, q) => s.listVectorStoreFiles(p.storeId, listQuery(q))],
  ['GET', 'vector_stores/:storeId/files/:fileId', (s, p) => s.getVectorStoreFile(p.storeId, p.fileId)],
  ['DELETE', 'vector_stores/:storeId/files/:fileId', (s, p) => s.deleteVectorStoreFile(p.storeId, p.fileId)],
];

function uploadFile(store: AssistantsStore, request: FastifyRequest): unknown {
  const boundary = boundaryOf(request.headers['content-type']);
  if (!Buffer.isBuffer(request.body) || boundary === undefined)
    throw errors.badRequest('Expected a multipart/form-data body.', 'file');
  try {
    const parts = parseMultipart(request.body, boundary);
    const file = parts.find((part) => part.name === 'file' && part.filename !== undefined);
    return store.createFile(
      multipartFields(parts)['purpose'],
      file && { filename: file.filename ?? 'file', data: file.data },
    );
  } catch (error) {
    if (error instanceof MultipartError) throw errors.badRequest(error.message, 'file');
    throw error;
  }
}

/**
 * The Assistants surface on Azure's dated routes (`/openai/…?api-version=`, which Azure serves from
 * preview api-versions) and OpenAI's (`/v1/…`, which wants `OpenAI-Beta: assistants=v2` but does not
 * refuse without it here). One store per simulator, shared by both surfaces as one account would be.
 */
export function registerAssistantsRoutes(app: FastifyInstance, state: SimulatorState): AssistantsStore {
  const store = new AssistantsStore(
    { seconds: () => state.createdAt(), nowMs: () => Date.now() },
    {
      runDelayMs: RUN_DELAY_MS,
      replyText: () => state.config.replyText,
      toolCallTrigger: () => state.config.toolCallTrigger,
    },
  );
  const surfaces: [prefix: string, surface: Surface][] = [
    ['/openai', 'azure'],
    ['/v1', 'openai'],
  ];
  for (const [prefix, surface] of surfaces) {
    for (const [method, path, handler] of ROUTES) {
      app.route<{ Params: Params; Querystring: Record<string, string | undefined> }>({
        method,
        url: `${prefix}/${path}`,
        handler: async (request, reply) => {
          const headers = baseHeaders(state, surface, request);
          try {
            authorize(surface, request.headers, state.config);
            const version = request.query['api-version'];
            if (surface === 'azure' && (version === undefined || !DATED_API_VERSION.test(version)))
              throw errors.resourceNotFound();
            // The request-level fault knobs (latency, fail_next, x-should-retry) apply here as on model routes.
            const faults = resolveFaults(state.config.faults, request.headers);
            if (faults.xShouldRetry !== undefined) headers['x-should-retry'] = String(faults.xShouldRetry);
            await delay(faults, state);
            const rule = state.failures.take(faults);
            if (rule?.status === 429) {
              throw errors.rateLimited(surface, {
                retryAfterMs: rule.retry_after_ms ?? 1000,
                reason: 'requests',
                deployment: 'assistants',
                operation: 'Assistants',
                apiVersion: version ?? 'v1',
              });
            }
            if (rule) throw errors.injected(surface, rule.status);
            const body = path === 'files' && method === 'POST' ? {} : jsonBody(request.body);
            const result = handler(store, request.params, body, request.query, request);
            if (Buffer.isBuffer(result))
              return await reply.headers(headers).type('application/octet-stream').send(result);
            if (result && typeof result === 'object' && STREAM in result)
              return sendEvents(reply, headers, (result as Streamed)[STREAM]);
            return await reply.headers(headers).send(result);
          } catch (error) {
            if (error instanceof FaultHeaderError)
              return sendError(reply, errors.badRequest(error.message, error.header), headers);
            if (!(error instanceof SimulatedError)) throw error;
            return sendError(reply, error, headers);
          }
        },
      });
    }
  }
  // POST /__mock/reset empties the store along with the rest of the simulator's state.
  app.addHook('onResponse', async (request) => {
    if (request.method === 'POST' && request.url.split('?')[0] === '/__mock/reset') store.clear();
  });
  return store;
}
