import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authorize } from '../auth';
import { SimulatedError, errors } from '../errors';
import { FaultHeaderError, resolveFaults } from '../faults';
import { baseHeaders, delay, sendError } from '../pipeline';
import { isObject } from '../prompt';
import { parseSearchQuery, searchDocuments } from '../search';
import type { SimulatorState } from '../simulator.state';

function searchError(status: number, message: string): SimulatedError {
  return new SimulatedError(status, { error: { code: '', message } });
}

/** Azure AI Search's document search (UPSTREAM.md §5) over the canned documents in the config. */
async function search(state: SimulatorState, index: string, raw: Record<string, unknown>, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const headers = baseHeaders(state, 'search', request);
  try {
    authorize('search', request.headers, state.config);
    const query = request.query as Record<string, unknown>;
    if (typeof query['api-version'] !== 'string') {
      throw searchError(400, 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    const documents = state.config.search.indexes[index]?.documents;
    if (!documents) throw searchError(404, `The index '${index}' for service '${state.config.search.serviceName}' was not found.`);
    const parsed = parseSearchQuery(raw);
    if (typeof parsed === 'string') throw searchError(400, parsed);
    const faults = resolveFaults(state.config.faults, request.headers);
    if (faults.xShouldRetry !== undefined) headers['x-should-retry'] = String(faults.xShouldRetry);
    await delay(faults, state);
    const rule = state.failures.take(faults);
    if (rule) throw errors.injected('search', rule.status);
    const result = searchDocuments(documents, parsed);
    const service = state.config.search.serviceName;
    await reply.headers(headers).send({
      '@odata.context': `https://${service}.search.windows.net/indexes('${index}')/$metadata#docs(*)`,
      ...(parsed.count ? { '@odata.count': result.count } : {}),
      value: result.value,
    });
  } catch (error) {
    if (error instanceof FaultHeaderError) {
      await sendError(reply, searchError(400, error.message), headers);
      return;
    }
    if (!(error instanceof SimulatedError)) throw error;
    await sendError(reply, error, headers);
  }
}

export function registerSearchRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.post<{ Params: { index: string } }>('/indexes/:index/docs/search', (request, reply) =>
    search(state, request.params.index, isObject(request.body) ? request.body : {}, request, reply),
  );
  app.get<{ Params: { index: string } }>('/indexes/:index/docs', (request, reply) =>
    search(state, request.params.index, request.query as Record<string, unknown>, request, reply),
  );
  // OData form: POST /indexes('name')/docs/search.post.search
  app.post<{ Params: { collection: string } }>('/:collection/docs/search.post.search', async (request, reply) => {
    const index = /^indexes\('([^']+)'\)$/.exec(request.params.collection)?.[1];
    if (index === undefined) return reply.code(404).send({ error: { code: '404', message: 'Resource not found' } });
    return search(state, index, isObject(request.body) ? request.body : {}, request, reply);
  });
}
