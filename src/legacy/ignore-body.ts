import { Readable } from 'node:stream';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

interface IgnoreBodyRouteConfig {
  ignoreBody?: boolean;
}

/**
 * Marks a route that never reads its body, so whatever a client sends (an empty body labelled JSON, a
 * form, nothing) cannot fail it: Azure AI Proxy's clients POST to eventinfo with any of these.
 */
export const IgnoresBody = (): MethodDecorator => RouteConfig({ ignoreBody: true } satisfies IgnoreBodyRouteConfig);

/** Swaps the body of @IgnoresBody() routes for an empty one before Fastify picks a content-type parser. */
@Injectable()
export class IgnoreBodyHook implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
    if (typeof fastify?.addHook !== 'function') return;
    fastify.addHook('preParsing', async (request, _reply, payload) => {
      if ((request.routeOptions.config as IgnoreBodyRouteConfig | undefined)?.ignoreBody !== true) return payload;
      // Read and drop what was sent, so the connection stays usable for the next request.
      payload.resume();
      delete request.headers['content-type'];
      delete request.headers['transfer-encoding'];
      request.headers['content-length'] = '0';
      return Readable.from([]);
    });
  }
}
