import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth';
import { type Surface, SimulatedError } from '../errors';
import { speechHandler, transcriptionsHandler, translationsHandler } from '../handlers/audio.handler';
import { chatHandler } from '../handlers/chat.handler';
import { completionsHandler } from '../handlers/completions.handler';
import { embeddingsHandler } from '../handlers/embeddings.handler';
import { imagesHandler } from '../handlers/images.handler';
import { responsesHandler } from '../handlers/responses.handler';
import { type Operation, type OperationHandler, baseHeaders, runOperation, sendError } from '../pipeline';
import type { SimulatorState } from '../simulator.state';

const HANDLERS: Record<Operation, OperationHandler> = {
  chat: chatHandler,
  completions: completionsHandler,
  embeddings: embeddingsHandler,
  images: imagesHandler,
  transcriptions: transcriptionsHandler,
  translations: translationsHandler,
  speech: speechHandler,
  responses: responsesHandler,
};

const PATHS: Record<Operation, string> = {
  chat: 'chat/completions',
  completions: 'completions',
  embeddings: 'embeddings',
  images: 'images/generations',
  transcriptions: 'audio/transcriptions',
  translations: 'audio/translations',
  speech: 'audio/speech',
  responses: 'responses',
};

const AZURE_DATED: Operation[] = ['chat', 'completions', 'embeddings', 'images', 'transcriptions', 'translations', 'speech'];
const AZURE_V1: Operation[] = ['chat', 'completions', 'embeddings', 'images', 'responses'];
const OPENAI: Operation[] = ['chat', 'completions', 'embeddings', 'images', 'responses', 'transcriptions', 'translations', 'speech'];

/** The three model surfaces of UPSTREAM.md §8: Azure dated, Azure v1 and OpenAI. */
export function registerModelRoutes(app: FastifyInstance, state: SimulatorState): void {
  for (const operation of AZURE_DATED) {
    app.post<{ Params: { deployment: string } }>(`/openai/deployments/:deployment/${PATHS[operation]}`, (request, reply) =>
      runOperation(state, { surface: 'azure', operation, pathDeployment: request.params.deployment }, HANDLERS[operation], request, reply),
    );
  }
  // Azure's retired on-your-data route (api-versions up to 2023-12-01-preview): a chat completion.
  app.post<{ Params: { deployment: string } }>('/openai/deployments/:deployment/extensions/chat/completions', (request, reply) =>
    runOperation(state, { surface: 'azure', operation: 'chat', pathDeployment: request.params.deployment }, chatHandler, request, reply),
  );
  // The dated preview Responses API names the deployment in the body, not the path.
  app.post('/openai/responses', (request, reply) =>
    runOperation(state, { surface: 'azure', operation: 'responses' }, responsesHandler, request, reply),
  );
  for (const operation of AZURE_V1) {
    app.post(`/openai/v1/${PATHS[operation]}`, (request, reply) =>
      runOperation(state, { surface: 'azure-v1', operation }, HANDLERS[operation], request, reply),
    );
  }
  for (const operation of OPENAI) {
    app.post(`/v1/${PATHS[operation]}`, (request, reply) =>
      runOperation(state, { surface: 'openai', operation }, HANDLERS[operation], request, reply),
    );
  }
  registerModelListRoutes(app, state, '/v1/models', 'openai');
  registerModelListRoutes(app, state, '/openai/v1/models', 'azure-v1');
}

function registerModelListRoutes(app: FastifyInstance, state: SimulatorState, path: string, surface: Surface): void {
  const model = (id: string): object => ({ id, object: 'model', created: state.createdAt(), owned_by: 'system' });
  const guarded =
    (answer: (request: FastifyRequest<{ Params: { id?: string } }>) => object | undefined) =>
    async (request: FastifyRequest<{ Params: { id?: string } }>, reply: FastifyReply): Promise<void> => {
      const headers = baseHeaders(state, surface, request);
      try {
        authorize(surface, request.headers, state.config);
        const body = answer(request);
        if (body === undefined) throw new SimulatedError(404, { error: { code: '404', message: 'Resource not found' } });
        await reply.headers(headers).send(body);
      } catch (error) {
        if (!(error instanceof SimulatedError)) throw error;
        await sendError(reply, error, headers);
      }
    };
  app.get(path, guarded(() => ({ object: 'list', data: Object.keys(state.config.deployments).map(model) })));
  app.get<{ Params: { id: string } }>(
    `${path}/:id`,
    guarded((request) => (request.params.id && state.config.deployments[request.params.id] ? model(request.params.id) : undefined)),
  );
}
