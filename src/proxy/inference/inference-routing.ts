import type { CatalogEvent, CatalogResource } from '../../catalog/catalog.types';
import { DomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-codes';
import type { Operation, ProxyCall } from '../proxy-operations';

/** The operations of the un-prefixed `/api/v1/…` routes Azure AI Proxy served for Azure AI Inference models. */
export type InferenceRoute = 'chat' | 'completions' | 'embeddings' | 'imageEmbeddings';

const INFERENCE_OPERATION: Record<InferenceRoute, Operation> = {
  chat: 'inferenceChat',
  completions: 'inferenceCompletions',
  embeddings: 'inferenceEmbeddings',
  imageEmbeddings: 'inferenceImageEmbeddings',
};
/** The same request to an Azure OpenAI deployment; image embeddings have none. */
const OPENAI_OPERATION: Partial<Record<InferenceRoute, Operation>> = { chat: 'chat', completions: 'completions', embeddings: 'embeddings' };

export const AI_INFERENCE_CLASS = 'azure-ai-inference';

/** What the routing rule needs from the catalog: an event's deployments by name. */
export type DeploymentLookup = (eventId: string, name: string) => CatalogResource[];

function classOf(event: CatalogEvent, model: unknown, lookup: DeploymentLookup): string | undefined {
  if (typeof model !== 'string' || !model.trim()) return undefined;
  const name = model.trim();
  const direct = lookup(event.id, name);
  if (direct.length) return direct[0].modelClass;
  const alias = event.modelAliases[name];
  return alias ? lookup(event.id, alias)[0]?.modelClass : undefined;
}

/**
 * The routing rule of `/api/v1/{chat/completions | completions | embeddings | images/embeddings}`: the body's
 * `model` names an event deployment; an `azure-ai-inference` deployment goes out the Azure AI Inference way
 * (endpoint + path, `azureml-model-deployment` header), any other deployment the way `/v1/…` sends it today.
 * An unknown or missing model takes the OpenAI way, whose errors list the event's deployments.
 */
export function routeInference(route: InferenceRoute, event: CatalogEvent, body: unknown, lookup: DeploymentLookup): Pick<ProxyCall, 'family' | 'operation'> {
  const model = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).model : undefined;
  const openai = OPENAI_OPERATION[route];
  if (classOf(event, model, lookup) === AI_INFERENCE_CLASS || !openai) return { family: 'inference', operation: INFERENCE_OPERATION[route] };
  return { family: 'openai', operation: openai };
}

/**
 * `GET /api/v1/info` has no body: the deployment comes from `?model=`, else the `azureml-model-deployment`
 * header, else the event's only AI Inference deployment.
 */
export function infoDeployment(event: CatalogEvent, deployments: Map<string, CatalogResource[]>, fromQuery?: unknown, fromHeader?: unknown): string {
  const named = (typeof fromQuery === 'string' && fromQuery.trim()) || (typeof fromHeader === 'string' && fromHeader.trim());
  if (named) return named;
  const inference = [...deployments].filter(([, r]) => r[0]?.modelClass === AI_INFERENCE_CLASS).map(([n]) => n).sort();
  if (inference.length === 1) return inference[0];
  throw new DomainError(
    ErrorCode.ModelRequired,
    inference.length
      ? `Name the deployment with ?model= or the azureml-model-deployment header. This event's AI Inference deployments: ${inference.join(', ')}.`
      : `The event '${event.name}' has no Azure AI Inference deployments.`,
    { param: 'model' },
  );
}
