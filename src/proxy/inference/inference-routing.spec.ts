import type { CatalogEvent, CatalogResource } from '../../catalog/catalog.types';
import { catalogResource } from '../../catalog/catalog-resource.fixture';
import { DomainError } from '../../common/errors/domain-error';
import { infoDeployment, routeInference } from './inference-routing';

const event = { id: 'ev', name: 'Hack', modelAliases: { mistral: 'mistral-large', gpt: 'gpt-4o' } } as unknown as CatalogEvent;
const deployments = new Map<string, CatalogResource[]>([
  ['gpt-4o', [catalogResource({ deploymentName: 'gpt-4o' })]],
  ['mistral-large', [catalogResource({ deploymentName: 'mistral-large', modelClass: 'azure-ai-inference' })]],
]);
const lookup = (_eventId: string, name: string) => deployments.get(name) ?? [];

describe(routeInference.name, () => {
  it('sends an azure-ai-inference deployment the AI Inference way, by name or alias', () => {
    expect(routeInference('chat', event, { model: 'mistral-large' }, lookup)).toEqual({ family: 'inference', operation: 'inferenceChat' });
    expect(routeInference('embeddings', event, { model: ' mistral ' }, lookup)).toEqual({ family: 'inference', operation: 'inferenceEmbeddings' });
    expect(routeInference('completions', event, { model: 'mistral-large' }, lookup)).toEqual({ family: 'inference', operation: 'inferenceCompletions' });
  });

  it('sends an Azure OpenAI deployment, an unknown model or no model the /v1 way', () => {
    expect(routeInference('chat', event, { model: 'gpt-4o' }, lookup)).toEqual({ family: 'openai', operation: 'chat' });
    expect(routeInference('chat', event, { model: 'gpt' }, lookup)).toEqual({ family: 'openai', operation: 'chat' });
    expect(routeInference('embeddings', event, { model: 'nope' }, lookup)).toEqual({ family: 'openai', operation: 'embeddings' });
    expect(routeInference('chat', event, undefined, lookup)).toEqual({ family: 'openai', operation: 'chat' });
    expect(routeInference('chat', event, ['x'], lookup)).toEqual({ family: 'openai', operation: 'chat' });
  });

  it('always takes image embeddings the AI Inference way, which has no OpenAI counterpart', () => {
    expect(routeInference('imageEmbeddings', event, { model: 'gpt-4o' }, lookup)).toEqual({ family: 'inference', operation: 'inferenceImageEmbeddings' });
  });
});

describe(infoDeployment.name, () => {
  it('takes ?model=, then the azureml-model-deployment header, then the only inference deployment', () => {
    expect(infoDeployment(event, deployments, 'from-query', 'from-header')).toBe('from-query');
    expect(infoDeployment(event, deployments, undefined, 'from-header')).toBe('from-header');
    expect(infoDeployment(event, deployments, ['a', 'b'], undefined)).toBe('mistral-large');
  });

  it('asks for a name when the event has several inference deployments, listing them', () => {
    const two = new Map(deployments).set('phi-4', [catalogResource({ deploymentName: 'phi-4', modelClass: 'azure-ai-inference' })]);
    expect(() => infoDeployment(event, two)).toThrow(DomainError);
    expect(() => infoDeployment(event, two)).toThrow(/mistral-large, phi-4/);
  });
});
