import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import cookie from '@fastify/cookie';
import { type FastifyError, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger as Pino } from 'pino';
import { AppModule } from './app.module';
import { DomainError } from './common/errors/domain-error';
import { ErrorCode } from './common/errors/error-codes';
import { buildErrorResponse } from './common/errors/error-response';
import { controlPlaneBodyLimit, corsDelegate, dataPlaneCorsHeaders, isControlPlanePath } from './common/http/control-plane';
import { API_SECURITY_HEADERS, applySecurityHeaders, securityHeaders } from './common/http/security-headers';
import { isApiPath, serveUi } from './common/http/static-ui';
import { setupSwagger } from './common/http/swagger';
import { lazyChildLoggerFactory } from './common/logging/lazy-child-logger';
import { createPinoLogger, PinoNestLogger, redactUrl } from './common/logging/logger';
import { AppConfig } from './config/app-config';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const isPreflight = (request: FastifyRequest) => !!request.headers.origin && !!request.headers['access-control-request-method'];

export interface CreatedApp {
  app: NestFastifyApplication;
  logger: Pino;
}

/** Builds the whole product on Fastify; main.ts and the integration tests both start it this way. */
export async function createApp(config: AppConfig, logger = createPinoLogger(config.log.level, config.log.pretty)): Promise<CreatedApp> {
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request comes from our onResponse hook (redacted URL, status, duration).
    logController: new LogController({ disableRequestLogging: true }),
    // request.log becomes a pino child only when a request logs something (most log nothing at warn).
    childLoggerFactory: lazyChildLoggerFactory,
    bodyLimit: config.http.bodyLimit,
    // Only behind a reverse proxy may X-Forwarded-For name the client (per-IP limits rely on it).
    trustProxy: config.http.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    // Fastify answers a URL it cannot decode (`/events/%zz`) before routing; answer in the route family's shape.
    frameworkErrors: (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const { status, headers, body } = buildErrorResponse(err, request.url, String(request.id));
      void reply.code(status).headers({ ...headers, 'x-request-id': String(request.id) }).send(body);
    },
    // Keep a caller's request id (so traces line up across services), otherwise make one.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const fastify = adapter.getInstance();
  // Per-route body limits: admin and sign-in JSON is small; proxy routes keep BODY_LIMIT_BYTES for uploads.
  const controlPlaneLimit = controlPlaneBodyLimit(config);
  fastify.addHook('onRoute', (route) => {
    // API routes answer JSON, SSE or audio, never HTML: they get the API security headers (Swagger UI is HTML).
    if (isApiPath(route.url) && !route.url.startsWith('/docs')) route.config = { ...route.config, apiHeaders: true };
    if (isControlPlanePath(route.url)) {
      if (route.bodyLimit === undefined) route.bodyLimit = controlPlaneLimit;
    } else if (route.method !== 'OPTIONS' && !(Array.isArray(route.method) && route.method.includes('OPTIONS'))) {
      // Data-plane routes get their fixed CORS headers from the hook below; @fastify/cors keeps preflights,
      // the control plane and unknown routes.
      route.config = { ...route.config, cors: false, dataPlaneCors: true };
    }
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    if ((request.routeOptions.config as { dataPlaneCors?: boolean }).dataPlaneCors) reply.headers(dataPlaneCorsHeaders(request.headers.origin));
    done();
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // An OPTIONS request that is not a CORS preflight would get @fastify/cors's plain-text 400; the CORS
  // delegator below lets it through to here, where it is answered in the route family's shape.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.method !== 'OPTIONS' || isPreflight(request)) return done();
    const err = new DomainError(ErrorCode.ValidationFailed, 'An OPTIONS request is a CORS preflight: send the Origin and Access-Control-Request-Method headers.');
    const { status, headers, body } = buildErrorResponse(err, request.url, String(request.id));
    void reply.code(status).headers(headers).send(body);
  });
  // Graceful shutdown: once closing, answers end their keep-alive connection and connections that turn
  // idle are closed, so draining takes as long as the slowest in-flight request, not a keep-alive timeout.
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  fastify.server.on('request', (_req, res) => {
    res.once('finish', () => {
      if (closing) setImmediate(() => fastify.server.closeIdleConnections());
    });
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      { method: request.method, url: redactUrl(request.url), status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  // Proxy routes answer any origin; admin and sign-in routes only CORS_ORIGINS (see control-plane.ts).
  const delegate = corsDelegate(config);
  app.enableCors({
    delegator: (request, callback) =>
      delegate(request, (err, options) => callback(err, isPreflight(request as FastifyRequest) ? options : { ...options, preflight: false })),
  });
  // Cookies carry sign-in sessions (organisers and attendees); each feature seals its own values.
  await app.register(cookie);
  // Security headers. The CSP fits the portal and Swagger UI (same-origin scripts, Angular's inline
  // styles); resources stay loadable cross-origin because browser SDKs call the proxy from other sites.
  const security = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // Workshops often run over plain http on a LAN; upgrading would break every asset.
        upgradeInsecureRequests: null,
      },
    },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      applySecurityHeaders((request.routeOptions.config as { apiHeaders?: boolean }).apiHeaders ? API_SECURITY_HEADERS : security, reply.raw);
      done();
    });
  // No enableShutdownHooks(): main.ts handles SIGTERM/SIGINT itself (grace period, then exit 0).
  setupSwagger(app);
  await serveUi(app);
  await app.init();
  return { app, logger };
}
