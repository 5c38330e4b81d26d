/**
 * Proxy routes answer in OpenAI's error shape so SDKs surface the message; everything else uses the
 * admin shape. Decided by path so errors raised before routing (bad JSON, 404) get the right shape too.
 */
const PROXY_PREFIXES = ['/openai/', '/v1/', '/api/v1/openai/', '/api/v1/v1/'];
/** Azure AI Search passthrough: `/indexes/…` and the OData form `/indexes('name')/…`. */
const SEARCH_PATH = /^(\/api\/v1)?\/indexes($|[/(])/;

/** Azure AI Inference routes as Azure AI Proxy served them, un-prefixed under /api/v1. */
const INFERENCE_PATHS = new Set(['/api/v1/chat/completions', '/api/v1/completions', '/api/v1/embeddings', '/api/v1/images/embeddings', '/api/v1/info']);

export function isProxyPath(url: string): boolean {
  const path = url.split('?', 1)[0].replace(/\/+$/, '');
  return PROXY_PREFIXES.some((p) => path.startsWith(p)) || path === '/v1' || path === '/openai' || SEARCH_PATH.test(path) || INFERENCE_PATHS.has(path);
}
