import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { context, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { AppConfig } from '../config/app-config';

/**
 * OpenTelemetry traces, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTLP/HTTP, JSON). The provider
 * belongs to this app instance and is not registered globally: spans are parented explicitly, so
 * nothing depends on async context propagation and two apps in one process stay apart.
 */
@Injectable()
export class TracingService implements OnApplicationShutdown {
  private readonly logger = new Logger(TracingService.name);
  private readonly provider?: NodeTracerProvider;
  private readonly tracer?: Tracer;

  constructor(config: AppConfig) {
    const endpoint = config.tracing.otlpEndpoint;
    if (!endpoint) return;
    // As the OTel spec says for the generic variable: the signal path is appended to the base endpoint.
    const url = `${endpoint.replace(/\/$/, '')}/v1/traces`;
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.tracing.serviceName, [ATTR_SERVICE_VERSION]: '0.1.0' }),
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 1_000 })],
    });
    this.tracer = this.provider.getTracer('ai-proxy');
    this.logger.log({ url }, 'Exporting traces over OTLP/HTTP');
  }

  get enabled(): boolean {
    return this.tracer !== undefined;
  }

  /** A root span (or undefined when tracing is off). */
  startRoot(name: string, kind: SpanKind, attributes: Record<string, string | number | boolean>): Span | undefined {
    return this.tracer?.startSpan(name, { kind, attributes });
  }

  /** A child of `parent`, started now. */
  startChild(parent: Span | undefined, name: string, kind: SpanKind, attributes: Record<string, string | number | boolean>): Span | undefined {
    if (!this.tracer || !parent) return undefined;
    return this.tracer.startSpan(name, { kind, attributes }, trace.setSpan(context.active(), parent));
  }

  static fail(span: Span | undefined, errorType: string): void {
    span?.setAttribute('error.type', errorType);
    span?.setStatus({ code: SpanStatusCode.ERROR });
  }

  async onApplicationShutdown(): Promise<void> {
    // Flushes spans still batched; an unreachable collector must not hold up the shutdown.
    await this.provider?.shutdown().catch((err: unknown) => this.logger.warn({ err }, 'Flushing traces failed'));
  }
}
