import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBodyOptions, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Attendee, RequireEventKey } from '../auth/decorators/auth.decorators';
import type { AttendeePrincipal } from '../auth/principal';
import { ModelsService } from './models.service';
import { AcceptsMultipart } from './multipart/multipart-parser';
import { ProxyRoute, RouteDoc } from './proxy-route.decorator';
import { ProxyService } from './proxy.service';

const AUDIO_UPLOAD: ApiBodyOptions = {
  schema: {
    type: 'object',
    required: ['file'],
    additionalProperties: true,
    properties: {
      file: { type: 'string', format: 'binary', description: 'The audio file, at most 25 MB; streamed to the upstream, never held in memory' },
      model: { type: 'string', description: 'The deployment (class openai-audio-transcription) on /v1 and /openai/v1 routes; ignored on Azure dated routes' },
      prompt: { type: 'string' },
      response_format: { type: 'string', enum: ['json', 'text', 'srt', 'verbose_json', 'vtt'] },
      temperature: { type: 'number' },
      language: { type: 'string', description: 'ISO-639-1 code of the spoken language (transcriptions)' },
    },
  },
};
const SPEECH_BODY: ApiBodyOptions = {
  schema: {
    type: 'object',
    required: ['input', 'voice'],
    additionalProperties: true,
    properties: {
      model: { type: 'string', description: 'The deployment (class openai-audio-speech) on /v1 and /openai/v1 routes; ignored on Azure dated routes' },
      input: { type: 'string' },
      voice: { type: 'string', example: 'alloy' },
      response_format: { type: 'string', enum: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] },
      speed: { type: 'number' },
    },
  },
};
const RESPONSES_BODY: ApiBodyOptions = {
  schema: {
    type: 'object',
    required: ['model', 'input'],
    additionalProperties: true,
    properties: {
      model: {
        type: 'string',
        description: 'The deployment: class openai-responses, or an openai-chat deployment (gpt-4o-class chat deployments serve the Responses API too)',
      },
      input: { description: 'A string, or a list of input items', oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'object' } }] },
      instructions: { type: 'string' },
      max_output_tokens: { type: 'integer', description: "At most the event's token cap (400 above it); set to the cap when absent" },
      stream: { type: 'boolean', description: 'Named server-sent events (response.created … response.completed), no [DONE]' },
    },
  },
};
const TRANSCRIPTION_DOC: RouteDoc = {
  body: AUDIO_UPLOAD,
  consumes: 'multipart/form-data',
  ok: 'The transcript: JSON ({"text"}), or text/plain for response_format text, srt and vtt',
  errors: [413],
};
const SPEECH_DOC: RouteDoc = {
  body: SPEECH_BODY,
  produces: ['audio/mpeg', 'audio/wav', 'audio/opus', 'audio/aac', 'audio/flac', 'audio/pcm', 'application/octet-stream'],
  ok: 'The audio bytes, streamed as the upstream sends them (content-type passed on)',
};
const RESPONSES_DOC: RouteDoc = {
  body: RESPONSES_BODY,
  ok: 'A response object, or with stream: true named server-sent events ending with response.completed',
  description: 'Metered from usage.input_tokens / output_tokens. Deployments of class openai-responses or openai-chat.',
};

const AZURE = ['openai/deployments/:deployment', 'api/v1/openai/deployments/:deployment'];
const azure = (op: string) => AZURE.map((p) => `${p}/${op}`);
const OPENAI = ['v1', 'openai/v1'];
const openai = (op: string) => OPENAI.map((p) => `${p}/${op}`);
/** The Responses API also answers under /api/v1, like the Azure dated routes. */
const RESPONSES = ['v1/responses', 'openai/v1/responses', 'api/v1/v1/responses', 'api/v1/openai/v1/responses'];
const RESPONSES_DATED = ['openai/responses', 'api/v1/openai/responses'];

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

  @Post(azure('extensions/chat/completions'))
  @ProxyRoute('Chat completions on your data, legacy extensions route (Azure OpenAI)', {
    description:
      'Azure\'s on-your-data route of api-versions up to 2023-12-01-preview (dataSources in the body), forwarded to the chat deployment; ' +
      'without an api-version the proxy sends 2023-12-01-preview.',
  })
  chatExtensions(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'chatExtensions', deployment, apiVersion }, p, req, reply);
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
  @ProxyRoute('Image generation (Azure OpenAI)', { description: 'Deployments of class openai-dall-e-3 or openai-dall-e-2.' })
  images(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'images', deployment, apiVersion }, p, req, reply);
  }

  @Post(azure('audio/transcriptions'))
  @AcceptsMultipart()
  @ProxyRoute('Speech to text (Azure OpenAI)', TRANSCRIPTION_DOC)
  transcriptions(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'transcriptions', deployment, apiVersion }, p, req, reply);
  }

  @Post(azure('audio/translations'))
  @AcceptsMultipart()
  @ProxyRoute('Speech to English text (Azure OpenAI)', TRANSCRIPTION_DOC)
  translations(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'translations', deployment, apiVersion }, p, req, reply);
  }

  @Post(azure('audio/speech'))
  @ProxyRoute('Text to speech (Azure OpenAI)', SPEECH_DOC)
  speech(@Param('deployment') deployment: string, @Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'speech', deployment, apiVersion }, p, req, reply);
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
    return req.url.replace(/^\/api\/v1(?=\/)/, '').startsWith('/openai/') ? 'azure-v1' : 'openai';
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
  @ProxyRoute('Image generation (OpenAI-compatible; model = deployment)', { description: 'Deployments of class openai-dall-e-3 or openai-dall-e-2.' })
  images(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'images', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Post(openai('audio/transcriptions'))
  @AcceptsMultipart()
  @ProxyRoute('Speech to text (OpenAI-compatible; model field = deployment)', TRANSCRIPTION_DOC)
  transcriptions(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'transcriptions', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Post(openai('audio/translations'))
  @AcceptsMultipart()
  @ProxyRoute('Speech to English text (OpenAI-compatible; model field = deployment)', TRANSCRIPTION_DOC)
  translations(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'translations', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Post(openai('audio/speech'))
  @ProxyRoute('Text to speech (OpenAI-compatible; model = deployment)', SPEECH_DOC)
  speech(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'speech', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Post(RESPONSES)
  @ProxyRoute('Responses API (OpenAI and Azure v1; model = deployment)', RESPONSES_DOC)
  responses(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: this.family(req), operation: 'responses', apiVersion: undefinedIfV1(apiVersion) }, p, req, reply);
  }

  @Post(RESPONSES_DATED)
  @ApiQuery({ name: 'api-version', required: true, description: 'A dated preview api-version with the Responses API, e.g. 2025-04-01-preview' })
  @ProxyRoute('Responses API (Azure dated preview; model = deployment)', RESPONSES_DOC)
  responsesDated(@Query('api-version') apiVersion: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.proxy.handle({ family: 'azure', operation: 'responses', apiVersion }, p, req, reply);
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
