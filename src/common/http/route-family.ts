/**
 * Proxy routes answer in OpenAI's error shape so SDKs surface the message; everything else uses the
 * admin shape. Decided by path so errors raised before routing (bad JSON, 404) get the right shape too.
 */
const PROXY_PREFIXES = ['/openai/', '/v1/', '/api/v1/openai/', '/api/v1/v1/'];
/** Azure AI Search passthrough: `/indexes/…` and the OData form `/indexes('name')/…`. */
const SEARCH_PATH = /^(\/api\/v1)?\/indexes($|[/(])/;

export function isProxyPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return PROXY_PREFIXES.some((p) => path.startsWith(p)) || path === '/v1' || path === '/openai' || SEARCH_PATH.test(path);
}
