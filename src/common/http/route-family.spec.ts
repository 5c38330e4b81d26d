import { isProxyPath } from './route-family';

describe(isProxyPath.name, () => {
  it('gives OpenAI-compatible and search routes the OpenAI error shape', () => {
    for (const path of ['/v1/chat/completions', '/openai/deployments/x/audio/speech?api-version=1', '/api/v1/openai/responses', '/indexes', '/indexes/hotels/docs?search=x', "/indexes('hotels')/docs/search.post.search", '/api/v1/indexes/hotels/docs/search', '/api/v1/chat/completions', '/api/v1/completions', '/api/v1/embeddings/', '/api/v1/images/embeddings', '/api/v1/info?model=x']) {
      expect(isProxyPath(path)).toBe(true);
    }
  });

  it('leaves admin and portal routes in the admin shape', () => {
    for (const path of ['/api/v1/admin/events', '/api/v1/events/e1/attendees', '/indexesx', '/api/v1/indexesx', '/docs', '/', '/api/v1/eventinfo', '/api/v1/event/e1', '/api/v1/information']) {
      expect(isProxyPath(path)).toBe(false);
    }
  });
});
