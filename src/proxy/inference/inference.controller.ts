import { Controller, Get, Headers, Post, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Attendee } from '../../auth/decorators/auth.decorators';
import type { AttendeePrincipal } from '../../auth/principal';
import { CatalogService } from '../../catalog/catalog.service';
import { ProxyRoute, RouteDoc } from '../proxy-route.decorator';
import { ProxyService } from '../proxy.service';
import { InferenceRoute, infoDeployment, routeInference } from './inference-routing';

const ROUTING =
  "The body's model names a deployment of your event: an azure-ai-inference deployment is forwarded to its Azure AI Inference endpoint " +
  '(deployment in the azureml-model-deployment header, the extra-parameters header passed on); an Azure OpenAI deployment is forwarded as on /v1.';
const doc = (extra: string): RouteDoc => ({ description: `${extra} ${ROUTING}` });

/**
 * Azure AI Inference routes as Azure AI Proxy served them (un-prefixed under /api/v1), for Mistral, Llama,
 * Phi and other model-catalog deployments; the OpenAI SDK with baseURL `…/api/v1` lands here too.
 */
@ApiTags('Proxy: Azure AI Inference')
@ApiHeader({ name: 'extra-parameters', required: false, description: 'pass-through | drop | error: what the model does with body fields it does not know' })
@ApiQuery({ name: 'api-version', required: false, description: 'Azure AI Inference api-version, e.g. 2024-05-01-preview (forwarded when given)' })
@Controller('api/v1')
export class InferenceProxyController {
  constructor(
    private readonly proxy: ProxyService,
    private readonly catalog: CatalogService,
  ) {}

  private forward(route: InferenceRoute, apiVersion: string | undefined, extra: string | undefined, p: AttendeePrincipal, req: FastifyRequest, reply: FastifyReply) {
    const routed = routeInference(route, p.event, req.body, (eventId, name) => this.catalog.resourcesFor(eventId, name));
    return this.proxy.handle({ ...routed, apiVersion, extraParameters: extra }, p, req, reply);
  }

  @Post('chat/completions')
  @ProxyRoute('Chat completions (Azure AI Inference or OpenAI-compatible; model = deployment)', doc('Chat completions.'))
  chat(@Query('api-version') v: string | undefined, @Headers('extra-parameters') extra: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forward('chat', v, extra, p, req, reply);
  }

  @Post('completions')
  @ProxyRoute('Completions (Azure AI Inference or OpenAI-compatible; model = deployment)', doc('Text completions.'))
  completions(@Query('api-version') v: string | undefined, @Headers('extra-parameters') extra: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forward('completions', v, extra, p, req, reply);
  }

  @Post('embeddings')
  @ProxyRoute('Embeddings (Azure AI Inference or OpenAI-compatible; model = deployment)', doc('Text embeddings.'))
  embeddings(@Query('api-version') v: string | undefined, @Headers('extra-parameters') extra: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forward('embeddings', v, extra, p, req, reply);
  }

  @Post('images/embeddings')
  @ProxyRoute('Image embeddings (Azure AI Inference; model = deployment)', { description: 'Deployments of class azure-ai-inference only.' })
  imageEmbeddings(@Query('api-version') v: string | undefined, @Headers('extra-parameters') extra: string | undefined, @Attendee() p: AttendeePrincipal, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.forward('imageEmbeddings', v, extra, p, req, reply);
  }

  @Get('info')
  @ApiQuery({ name: 'model', required: false, description: "The deployment; else the azureml-model-deployment header; else the event's only AI Inference deployment" })
  @ProxyRoute('Model info (Azure AI Inference)', { body: null, description: 'Deployments of class azure-ai-inference only.' })
  info(
    @Query('api-version') v: string | undefined,
    @Query('model') model: unknown,
    @Headers('azureml-model-deployment') header: unknown,
    @Attendee() p: AttendeePrincipal,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const deployment = infoDeployment(p.event, this.catalog.deploymentsOf(p.event.id), model, header);
    return this.proxy.handle({ family: 'inference', operation: 'inferenceInfo', deployment, apiVersion: v }, p, req, reply);
  }
}
