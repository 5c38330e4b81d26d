import type { FastifyInstance } from 'fastify';
import { SimulatorConfigError, mergeConfig, validateConfig } from '../simulator.config';
import type { SimulatorState } from '../simulator.state';
import { isObject } from '../prompt';

/** Test hooks under /__mock/*: no auth, never logged, never faulted. */
export function registerAdminRoutes(app: FastifyInstance, state: SimulatorState): void {
  app.get('/__mock/requests', async () => state.requests.list());

  app.post('/__mock/reset', async (_request, reply) => {
    state.reset();
    return reply.code(204).send();
  });

  app.get('/__mock/config', async () => state.config);

  app.patch('/__mock/config', async (request, reply) => {
    if (!isObject(request.body)) {
      return reply.code(400).send({ error: { code: 'InvalidConfig', message: 'Expected a JSON object to merge into the config.' } });
    }
    try {
      const next = validateConfig(mergeConfig(state.config, request.body));
      const faults = request.body['faults'];
      state.replaceConfig(next, { rearmFailures: isObject(faults) && 'fail_next' in faults });
      return next;
    } catch (error) {
      if (!(error instanceof SimulatorConfigError)) throw error;
      return reply.code(400).send({ error: { code: 'InvalidConfig', message: error.message } });
    }
  });
}
