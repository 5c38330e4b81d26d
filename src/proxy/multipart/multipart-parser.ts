import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import { errorCodes, type FastifyInstance } from 'fastify';

interface MultipartRouteConfig {
  multipartUpload?: boolean;
}

/** Marks a route whose handler reads a multipart/form-data upload as a stream (see spoolMultipart). */
export const AcceptsMultipart = (): MethodDecorator => RouteConfig({ multipartUpload: true } satisfies MultipartRouteConfig);

/**
 * Registers a multipart/form-data parser that hands the raw request stream to routes marked with
 * @AcceptsMultipart(), so uploads are never buffered whole; every other route refuses multipart
 * with 415 as before, without reading the body.
 */
@Injectable()
export class MultipartContentTypeParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (typeof fastify?.addContentTypeParser !== 'function' || fastify.hasContentTypeParser('multipart/form-data')) return;
    fastify.addContentTypeParser('multipart/form-data', (request, payload, done) => {
      if ((request.routeOptions.config as MultipartRouteConfig | undefined)?.multipartUpload === true) done(null, payload);
      else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('multipart/form-data'), undefined);
    });
  }
}
