import { type Surface, errors } from './errors';
import type { HeaderBag } from './faults';
import type { SimulatorConfig } from './simulator.config';

interface Credentials {
  apiKey?: string;
  bearer?: string;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function readCredentials(headers: HeaderBag): Credentials {
  const authorization = first(headers['authorization']);
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(.+)$/i.exec(authorization.trim())?.[1];
  return { apiKey: first(headers['api-key']), bearer };
}

/**
 * Throws the surface's own auth failure (UPSTREAM.md §8). Azure paths take the key in `api-key` or as a
 * bearer, plus any allow-listed Entra token; OpenAI's /v1 takes only `Authorization: Bearer KEY`.
 */
export function authorize(surface: Surface, headers: HeaderBag, config: SimulatorConfig): void {
  const { apiKey, bearer } = readCredentials(headers);
  switch (surface) {
    case 'azure':
    case 'azure-v1':
    case 'inference': {
      const ok = apiKey === config.apiKey || (bearer !== undefined && (bearer === config.apiKey || config.bearerTokens.includes(bearer)));
      if (!ok) throw errors.azureUnauthorized();
      return;
    }
    case 'openai':
      if (bearer !== config.apiKey) throw errors.openAiUnauthorized(bearer);
      return;
    case 'search': {
      const searchKey = config.search.apiKey ?? config.apiKey;
      if (apiKey === undefined && bearer === undefined) throw errors.searchUnauthorized();
      const ok = apiKey === searchKey || (bearer !== undefined && config.bearerTokens.includes(bearer));
      if (!ok) throw errors.searchForbidden();
      return;
    }
  }
}
