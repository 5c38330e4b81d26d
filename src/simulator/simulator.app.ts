import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import { SimulatedError, errors } from './errors';
import { boundaryOf, parseMultipart } from './multipart';
import { sendError } from './pipeline';
import { redactHeaders, redactQuery } from './request-log';
import { registerAdminRoutes } from './routes/admin.routes';
import { registerAiInferenceRoutes } from './routes/ai-inference.routes';
import { registerAssistantsRoutes } from './routes/assistants.routes';
import { registerModelRoutes } from './routes/model.routes';
import { registerRealtimeRoutes } from './routes/realtime.routes';
import { registerSearchRoutes } from './routes/search.routes';
import { SimulatorControl } from './simulator.client';
import { type SimulatorOptions, resolveConfig } from './simulator.config';
import { SimulatorState } from './simulator.state';

export interface StartSimulatorOptions extends SimulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningSimulator {
  /** e.g. http://127.0.0.1:9100, no trailing slash. */
  url: string;
  app: FastifyInstance;
  /** Typed access to /__mock/{requests,reset,config}. */
  control: SimulatorControl;
  close(): Promise<void>;
}

/** Multipart bodies are summarised, so the log shows the fields the proxy forwarded without the audio. */
function loggedBody(request: FastifyRequest): unknown {
  if (!Buffer.isBuffer(request.body)) return request.body;
  const boundary = boundaryOf(request.headers['content-type']);
  if (boundary === undefined) return { bytes: request.body.length };
  try {
    return {
      multipart: parseMultipart(request.body, boundary).map((part) =>
        part.filename === undefined
          ? { name: part.name, value: part.data.toString('utf8') }
          : { name: part.name, filename: part.filename, contentType: part.contentType, bytes: part.data.length },
      ),
    };
  } catch {
    return { bytes: request.body.length };
  }
}

/**
 * Builds the simulated upstream (Azure OpenAI, OpenAI, Azure AI Search) as a plain Fastify app, so the
 * product can run it in-process and tests can drive it over real HTTP. Throws SimulatorConfigError on a
 * bad configuration.
 */
export async function createSimulator(options: SimulatorOptions = {}): Promise<FastifyInstance> {
  const state = new SimulatorState(resolveConfig(options));
  const app = Fastify({
    logger: false,
    bodyLimit: 26 * 1024 * 1024, // Whisper's 25 MB upload limit plus multipart overhead.
    forceCloseConnections: true, // SDK keep-alive sockets must not hold close() open.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  });

  // Multipart stays a raw Buffer: the audio handlers parse it, and no plugin dependency is needed.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // Be lenient like the real services: JSON without a JSON content type is still read as JSON.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body);
    try {
      done(null, JSON.parse(buffer.toString('utf8')));
    } catch {
      done(null, buffer);
    }
  });

  app.addHook('preHandler', async (request) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (path.startsWith('/__mock')) return;
    state.requests.add({
      method: request.method,
      path,
      query: redactQuery(request.query as Record<string, string | string[] | undefined>),
      headers: redactHeaders(request.headers),
      body: loggedBody(request),
    });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: '404', message: 'Resource not found' } }));

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof SimulatedError) return sendError(reply, error, {});
    const status = (error as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = error instanceof Error ? error.message : 'Bad request';
      return reply.code(status).send({ error: { code: String(status), message, type: 'invalid_request_error', param: null } });
    }
    const internal = errors.injected('azure', 500);
    return reply.code(500).send(internal.body);
  });

  app.addHook('onClose', async () => state.closing.abort());
  registerModelRoutes(app, state);
  registerSearchRoutes(app, state);
  registerAiInferenceRoutes(app, state);
  registerRealtimeRoutes(app, state);
  registerAssistantsRoutes(app, state);
  registerAdminRoutes(app, state);
  await app.ready();
  return app;
}

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const { port = 0, host = '127.0.0.1', ...config } = options;
  const app = await createSimulator(config);
  // Exclusive: in a cluster worker a shared port would hand requests to another worker's simulator (and key).
  await app.listen({ port, host, exclusive: true });
  const address = app.server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${hostPart}:${address.port}`;
  return { url, app, control: new SimulatorControl(url), close: () => app.close() };
}
