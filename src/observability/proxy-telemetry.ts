import { Injectable } from '@nestjs/common';
import { type Span, SpanKind } from '@opentelemetry/api';
import type { CatalogResource } from '../catalog/catalog.types';
import type { Operation } from '../proxy/proxy-operations';
import type { UsageEntry } from '../usage/usage.types';
import { MetricsService, UpstreamErrorKind } from './metrics.service';
import { TracingService } from './tracing.service';

/**
 * gen_ai.operation.name per proxied operation: the GenAI semantic conventions' well-known names where one
 * exists; other operations report their own name.
 */
const GEN_AI_OPERATION: Partial<Record<Operation, string>> & Record<string, string | undefined> = {
  chat: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
  responses: 'chat',
  images: 'image_generation',
  chatExtensions: 'chat',
  inferenceChat: 'chat',
  inferenceCompletions: 'text_completion',
  inferenceEmbeddings: 'embeddings',
  inferenceImageEmbeddings: 'embeddings',
  searchGet: 'search',
};

function genAiOperation(operation: Operation): string {
  return GEN_AI_OPERATION[operation] ?? operation;
}

export function providerName(resource: CatalogResource): string {
  return resource.upstream === 'openai' ? 'openai' : 'azure.ai.openai';
}

/**
 * One upstream attempt's span (GenAI conventions; of the URL only host and port are kept) and its metrics,
 * for HTTP requests and realtime sessions alike.
 */
export function startAttempt(
  metrics: MetricsService,
  tracing: TracingService,
  parent: Span | undefined,
  operation: string,
  resource: CatalogResource,
  deployment: string,
  url: string,
): AttemptTelemetry {
  const { hostname, port, protocol } = new URL(url);
  const span = tracing.startChild(parent, `${operation} ${deployment}`, SpanKind.CLIENT, {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': providerName(resource),
    'gen_ai.request.model': deployment,
    'server.address': hostname,
    'server.port': Number(port) || (protocol === 'https:' || protocol === 'wss:' ? 443 : 80),
    'aiproxy.resource.id': resource.id,
  });
  return new AttemptTelemetry(metrics, deployment, resource.id, span);
}

/** One upstream attempt: ended at once when it fails, or kept open while its answer is relayed. */
export class AttemptTelemetry {
  constructor(
    private readonly metrics: MetricsService,
    private readonly deployment: string,
    private readonly resourceId: string,
    readonly span: Span | undefined,
  ) {}

  /** The attempt failed and the proxy moves on (or gives up); `status` when the upstream answered. */
  failed(kind: UpstreamErrorKind, status?: number): void {
    this.metrics.upstreamError(this.deployment, this.resourceId, kind, status);
    if (status !== undefined) this.span?.setAttribute('http.response.status_code', status);
    TracingService.fail(this.span, status !== undefined ? String(status) : kind);
    this.span?.end();
  }

  /**
   * The upstream refused for a reason that is the client's (its answer is relayed): the span records
   * the refusal, and no upstream error is counted against the backend.
   */
  refused(status: number): void {
    this.span?.setAttribute('http.response.status_code', status);
    TracingService.fail(this.span, String(status));
    this.span?.end();
  }

  /** The client left while the attempt was under way: not the backend's failure, so nothing is counted. */
  abandoned(): void {
    TracingService.fail(this.span, 'client_closed_request');
    this.span?.end();
  }

  /** The attempt's answer is being relayed; the span ends with the request, carrying its token usage. */
  answered(status: number): void {
    this.span?.setAttribute('http.response.status_code', status);
  }
}

/**
 * The metrics and trace of one proxied request. Only ids, names, statuses and counts go into spans and
 * labels: never a prompt, a completion or a key.
 */
export class RequestTelemetry {
  private winner?: AttemptTelemetry;

  constructor(
    private readonly metrics: MetricsService,
    private readonly tracing: TracingService,
    private readonly operation: Operation,
    private readonly span: Span | undefined,
  ) {}

  attempt(resource: CatalogResource, deployment: string, url: string): AttemptTelemetry {
    this.winner = startAttempt(this.metrics, this.tracing, this.span, genAiOperation(this.operation), resource, deployment, url);
    return this.winner;
  }

  /** Called once with the usage record the request produced. */
  finish(entry: UsageEntry): void {
    const failedOver = entry.attempts > 1 && entry.status < 400;
    this.metrics.request({
      eventId: entry.eventId,
      deployment: entry.deployment,
      status: entry.status,
      promptTokens: entry.promptTokens,
      completionTokens: entry.completionTokens,
      latencyMs: entry.latencyMs,
      ttfbMs: entry.ttfbMs,
      attempts: entry.attempts,
      failedOver,
    });
    const usage = { 'gen_ai.usage.input_tokens': entry.promptTokens, 'gen_ai.usage.output_tokens': entry.completionTokens };
    const winner = this.winner?.span;
    if (winner && winner.isRecording()) {
      winner.setAttributes(usage);
      if (entry.status >= 400) TracingService.fail(winner, entry.errorCode ?? String(entry.status));
      winner.end();
    }
    if (!this.span) return;
    const op = genAiOperation(this.operation);
    this.span.updateName(`${op} ${entry.deployment}`);
    this.span.setAttributes({
      ...usage,
      'gen_ai.request.model': entry.deployment,
      'http.response.status_code': entry.status,
      'aiproxy.attempts': entry.attempts,
      'aiproxy.streamed': entry.streamed,
      'aiproxy.estimated': entry.estimated,
    });
    if (entry.status >= 400) TracingService.fail(this.span, entry.errorCode ?? String(entry.status));
    this.span.end();
  }
}

/** What the proxy calls: one `begin` per request, then attempts and `finish` on the handle it returns. */
@Injectable()
export class ProxyTelemetry {
  constructor(
    private readonly metrics: MetricsService,
    private readonly tracing: TracingService,
  ) {}

  begin(operation: Operation, route: string, eventId: string, requestId: string): RequestTelemetry {
    const op = genAiOperation(operation);
    const span = this.tracing.startRoot(op, SpanKind.SERVER, {
      'gen_ai.operation.name': op,
      'http.route': route,
      'aiproxy.event.id': eventId,
      'aiproxy.request.id': requestId,
    });
    return new RequestTelemetry(this.metrics, this.tracing, operation, span);
  }
}
