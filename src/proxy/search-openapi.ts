import type { OpenAPIObject } from '@nestjs/swagger';

/** The route suffix of the OData search form, after `indexes`: a regex parameter between quotes. */
export const ODATA_SEARCH = "(':index(^[^/']+)')/docs/search.post.search";

/**
 * @nestjs/swagger parses route paths with path-to-regexp, which rejects the OData form's parentheses, so
 * that route is excluded there and documented here as the same operation as POST /indexes/{index}/docs/search.
 */
export function documentSearchODataRoutes(document: OpenAPIObject): void {
  for (const prefix of ['', '/api/v1']) {
    const post = document.paths[`${prefix}/indexes/{index}/docs/search`]?.post;
    if (!post) continue;
    document.paths[`${prefix}/indexes('{index}')/docs/search.post.search`] = {
      post: {
        ...post,
        operationId: (post.operationId ?? 'search').replace(/(\[\d+\])?$/, 'OData$1'),
        summary: "Search documents, OData form /indexes('{index}')/docs/search.post.search, as SearchClient sends it (Azure AI Search)",
      },
    };
  }
}
