/**
 * Preloaded into Portkey's gateway by the peer benchmark. @portkey-ai/gateway 1.15.2 appends headers to the
 * upstream's fetch Response, whose headers are immutable under the @hono/node-server npm resolves today
 * (> 1.14.2), so every streamed request fails with "TypeError: immutable" (Portkey-AI/gateway#1389).
 * Re-wrapping each fetch Response in a constructed one (mutable headers, same body stream) lets Portkey run
 * as its authors intend, at the cost of one small object per request.
 */
const originalFetch = globalThis.fetch;
globalThis.fetch = async (...args: Parameters<typeof fetch>): Promise<Response> => {
  const res = await originalFetch(...args);
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers) });
};
