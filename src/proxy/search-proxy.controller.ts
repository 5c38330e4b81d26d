import { All, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Attendee, RequireEventKey } from '../auth/decorators/auth.decorators';
import type { AttendeePrincipal } from '../auth/principal';
import { ProxyRoute, RouteDoc } from './proxy-route.decorator';
import { ProxyService } from './proxy.service';
import { ODATA_SEARCH } from './search-openapi';

const PREFIXES = ['indexes', 'api/v1/indexes'];
const at = (suffix: string) => PREFIXES.map((p) => `${p}${suffix}`);

const SEARCH_DOC: RouteDoc = {
  ok: 'The search results, passed on unread from the event\'s Azure AI Search service',
  errors: [403],
  description:
    "The index is an azure-ai-search deployment of your event (deploymentName = index name); the proxy forwards the query with the service's own key. " +
    'Read-only: every other route under /indexes answers 403.',
};
const SEARCH_BODY = {
  schema: {
    type: 'object' as const,
    additionalProperties: true,
    description: 'An Azure AI Search request: search, filter, select, top, skip, count, queryType, vectorQueries, …',
  },
};

/**
 * Azure AI Search document search, for clients such as `SearchClient` pointed at the proxy. The key goes
 * in `api-key` (what AzureKeyCredential sends) or as a Bearer token.
 */
@ApiTags('Proxy: Azure AI Search')
@ApiParam({ name: 'index', description: 'A search index (azure-ai-search deployment) attached to your event' })
@ApiQuery({ name: 'api-version', required: false, description: 'Azure AI Search api-version, e.g. 2025-09-01 (default 2024-07-01)' })
@Controller()
export class SearchProxyController {
  constructor(private readonly proxy: ProxyService) {}

  @Post(at('/:index/docs/search'))
  @ProxyRoute('Search documents (Azure AI Search)', { ...SEARCH_DOC, body: SEARCH_BODY })
  search(@Param('index') index: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'search', operation: 'search', deployment: index, apiVersion }, p, req, reply);
  }

  // The OData form `indexes('name')`, which SearchClient uses; the regex keeps the quotes out of the name.
  // Swagger's path parser cannot read it, so search-openapi.ts documents it as a copy of search().
  @Post(at(ODATA_SEARCH))
  @ProxyRoute('Search documents, OData form (Azure AI Search)', { ...SEARCH_DOC, body: SEARCH_BODY })
  @ApiExcludeEndpoint()
  searchOData(@Param('index') index: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'search', operation: 'search', deployment: index, apiVersion }, p, req, reply);
  }

  @Get(at('/:index/docs'))
  @ApiQuery({ name: 'search', required: false, description: 'Search text; the other Azure AI Search query parameters pass through' })
  @ProxyRoute('Search documents with query parameters (Azure AI Search)', { ...SEARCH_DOC, body: null })
  searchGet(@Param('index') index: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'search', operation: 'searchGet', deployment: index, apiVersion }, p, req, reply);
  }

  /** Writes, index management and every other document route: refused, whatever the method. */
  @All([...at(''), ...at('/*'), ...at('(*')])
  @RequireEventKey()
  @ApiExcludeEndpoint()
  refuse(@Req() req: FastifyRequest): never {
    return this.proxy.refuseSearchWrite(req.method);
  }
}
