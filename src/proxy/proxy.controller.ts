import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Attendee, RequireEventKey } from '../auth/decorators/auth.decorators';
import type { AttendeePrincipal } from '../auth/principal';
import { OpenAiErrorSchema, toOpenApi } from '../common/validation/openapi';
import { ModelsService } from './models.service';
import { ProxyService } from './proxy.service';

const OPENAI_BODY = {
  schema: { type: 'object' as const, additionalProperties: true, description: 'The OpenAI / Azure OpenAI request body; unknown fields pass through' },
};
const ERRORS = [401, 404, 400, 429, 503].map((status) =>
  ApiResponse({ status, description: 'OpenAI-shaped error', schema: toOpenApi(OpenAiErrorSchema, 'output') }),
);

function ProxyRoute(summary: string): MethodDecorator {
  return (target, key, descriptor) => {
    for (const d of [RequireEventKey(), ApiOperation({ summary }), ApiBody(OPENAI_BODY), ApiResponse({ status: 200, description: 'The upstream answer (JSON or text/event-stream)' }), ...ERRORS]) {
      d(target, key, descriptor);
    }
  };
}

const AZURE = ['openai/deployments/:deployment', 'api/v1/openai/deployments/:deployment'];
const azure = (op: string) => AZURE.map((p) => `${p}/${op}`);
const OPENAI = ['v1', 'openai/v1'];
const openai = (op: string) => OPENAI.map((p) => `${p}/${op}`);

/** Azure OpenAI dated routes: the deployment is in the path, api-version in the query. */
@ApiTags('Proxy: Azure OpenAI')
@ApiParam({ name: 'deployment', description: 'A deployment attached to your event' })
@ApiQuery({ name: 'api-version', required: false, description: 'Azure api-version, e.g. 2024-10-21' })
@Controller()
export class AzureProxyController {
  constructor(private readonly proxy: ProxyService) {}

  @Post(azure('chat/completions'))
  @ProxyRoute('Chat completions (Azure OpenAI)')
  chat(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'chat', deployment, apiVersion }, p, req, reply);
  }

  @Post(azure('completions'))
  @ProxyRoute('Completions (Azure OpenAI)')
  completions(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'completions', deployment, apiVersion }, p, req, reply);
  }

  @Post(azure('embeddings'))
  @ProxyRoute('Embeddings (Azure OpenAI)')
  embeddings(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'embeddings', deployment, apiVersion }, p, req, reply);
  }

  @Post(azure('images/generations'))
  @ProxyRoute('Image generation (Azure OpenAI)')
  images(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'images', deployment, apiVersion }, p, req, reply);
  }
}

/** OpenAI-style routes (`/v1/…`) and Azure's v1 surface (`/openai/v1/…`): the deployment is the body's `model`. */
@ApiTags('Proxy: OpenAI and Azure v1')
@Controller()
export class OpenAiProxyController {
  constructor(
    private readonly proxy: ProxyService,
    private readonly models: ModelsService,
  ) {}

  private family(req: FastifyRequest): 'openai' | 'azure-v1' {
    return req.url.startsWith('/openai/') ? 'azure-v1' : 'openai';
  }

  @Post(openai('chat/completions'))
  @ProxyRoute('Chat completions (OpenAI-compatible; model = deployment)')
  chat(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'chat', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Post(openai('completions'))
  @ProxyRoute('Completions (OpenAI-compatible; model = deployment)')
  completions(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'completions', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Post(openai('embeddings'))
  @ProxyRoute('Embeddings (OpenAI-compatible; model = deployment)')
  embeddings(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'embeddings', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Post(openai('images/generations'))
  @ProxyRoute('Image generation (OpenAI-compatible; model = deployment)')
  images(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'images', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Get(openai('models'))
  @RequireEventKey()
  @ApiOperation({ summary: 'The deployments of your event, as OpenAI models' })
  listModels(@Attendee() p: AttendeePrincipal) {
    return this.models.list(p);
  }

  @Get(openai('models/:id'))
  @RequireEventKey()
  @ApiOperation({ summary: 'One deployment of your event, as an OpenAI model' })
  getModel(@Param('id') id: string, @Attendee() p: AttendeePrincipal) {
    return this.models.get(p, id);
  }
}

/** The v1 surface's "v1"/"preview" api-version names the surface, not a dated version to forward. */
function undefinedIfV1(apiVersion: string | undefined): string | undefined {
  return apiVersion === undefined || apiVersion === 'v1' || apiVersion === 'preview' || apiVersion === 'latest' ? undefined : apiVersion;
}
