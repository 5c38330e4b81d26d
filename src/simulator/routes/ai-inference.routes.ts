import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth';
import { SimulatedError, errors } from '../errors';
import { chatHandler } from '../handlers/chat.handler';
import { completionsHandler } from '../handlers/completions.handler';
import { embeddingsHandler } from '../handlers/embeddings.handler';
import { imageEmbeddingsHandler } from '../handlers/image-embeddings.handler';
import { type Operation, type OperationHandler, baseHeaders, resolveDeployment, runOperation, sendError } from '../pipeline';
import type { SimulatorState } from '../simulator.state';

/** The header Azure AI Inference endpoints route on; the simulator echoes it so tests see what arrived. */
export const MODEL_DEPLOYMENT_HEADER = 'azureml-model-deployment';

const ROUTES: { path: string; operation: Operation; handler: OperationHandler }[] = [
  { path: '/chat/completions', operation: 'chat', handler: chatHandler },
  { path: '/completions', operation: 'completions', handler: completionsHandler },
  { path: '/embeddings', operation: 'embeddings', handler: embeddingsHandler },
  { path: '/images/embeddings', operation: 'embeddings', handler: imageEmbeddingsHandler },
];

function deploymentHeader(request: FastifyRequest): string | undefined {
  const value = request.headers[MODEL_DEPLOYMENT_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Who makes the simulated model: Azure AI Inference's /info names a provider. */
function providerOf(model: string): string {
  if (/mistral|codestral/i.test(model)) return 'Mistral';
  if (/llama/i.test(model)) return 'Meta';
  if (/phi/i.test(model)) return 'Microsoft';
  if (/cohere|command/i.test(model)) return 'Cohere';
  return 'Simulator';
}

/**
 * Azure AI Inference (model-catalog endpoints for Mistral, Llama, Phi, …): the key in `api-key` or as a bearer;
 * the deployment from `azureml-model-deployment`, else the body's `model`; any api-version or none.
 */
export function registerAiInferenceRoutes(app: FastifyInstance, state: SimulatorState): void {
  for (const { path, operation, handler } of ROUTES) {
    app.post(path, (request, reply) => {
      const deployment = deploymentHeader(request);
      if (deployment) reply.raw.setHeader(MODEL_DEPLOYMENT_HEADER, deployment);
      return runOperation(state, { surface: 'inference', operation, pathDeployment: deployment }, handler, request, reply);
    });
  }
  app.get('/info', async (request: FastifyRequest, reply: FastifyReply) => {
    const headers = baseHeaders(state, 'inference', request);
    try {
      authorize('inference', request.headers, state.config);
      const model = (request.query as Record<string, unknown>)['model'];
      const name = deploymentHeader(request) ?? (typeof model === 'string' && model !== '' ? model : undefined);
      if (name === undefined) throw errors.badRequest(`Name the deployment in the ${MODEL_DEPLOYMENT_HEADER} header.`, MODEL_DEPLOYMENT_HEADER);
      const modelName = resolveDeployment(state.config, 'inference', name).model;
      const type = /embed/i.test(modelName) ? 'embeddings' : 'chat-completion';
      await reply
        .headers({ ...headers, [MODEL_DEPLOYMENT_HEADER]: name })
        .send({ model_name: modelName, model_type: type, model_provider_name: providerOf(modelName) });
    } catch (error) {
      if (!(error instanceof SimulatedError)) throw error;
      await sendError(reply, error, headers);
    }
  });
}
