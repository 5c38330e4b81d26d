import { Injectable } from '@nestjs/common';
import { type Span, SpanKind } from '@opentelemetry/api';
import type { CatalogResource } from '../catalog/catalog.types';
import { MetricsService, type RealtimeClosedBy, type RealtimeOutcome } from './metrics.service';
import { AttemptTelemetry, startAttempt } from './proxy-telemetry';
import { TracingService } from './tracing.service';

/** gen_ai.operation.name for realtime sessions: the GenAI conventions have no well-known name for them. */
const OPERATION = 'realtime';
const NORMAL_CLOSES = new Set([1000, 1001, 1005]);

/**
 * The bounded outcome label of a session's end. `governance` is the code with which the proxy ended it
 * (event ended, key revoked, budget used up...); a proxy end without one is the server shutting down.
 */
export function realtimeOutcome(by: RealtimeClosedBy, code: number, governance?: RealtimeOutcome): RealtimeOutcome {
  if (by === 'proxy') return governance ?? 'shutdown';
  if (NORMAL_CLOSES.has(code)) return 'normal';
  return code === 1006 ? 'dropped' : 'error';
}

/**
 * The metrics and trace of one realtime session: a server span for the session, a client span per
 * upstream WebSocket connection attempt (the one that connected stays open until the session ends and
 * carries its token usage). Only ids, names, statuses and counts are recorded: never a frame's content
 * or a key.
 */
export class RealtimeSessionTelemetry {
  private winner?: AttemptTelemetry;
  private deployment = '';
  private attempts = 0;
  private responses = 0;
  private inputTokens = 0;
  private outputTokens = 0;

  constructor(
    private readonly metrics: MetricsService,
    private readonly tracing: TracingService,
    private readonly eventId: string,
    private readonly span: Span | undefined,
  ) {}

  /** One upstream connection attempt (`url` is the ws:// or wss:// URL, of which only host and port are kept). */
  attempt(resource: CatalogResource, deployment: string, url: string): AttemptTelemetry {
    this.deployment = deployment;
    this.attempts++;
    this.winner = startAttempt(this.metrics, this.tracing, this.span, OPERATION, resource, deployment, url);
    return this.winner;
  }

  /** The client was upgraded: the session is open. */
  opened(deployment: string): void {
    this.deployment = deployment;
    this.metrics.realtimeSessionOpened(this.eventId, deployment, this.attempts);
    this.span?.updateName(`${OPERATION} ${deployment}`);
    this.span?.setAttributes({ 'gen_ai.request.model': deployment, 'http.response.status_code': 101, 'aiproxy.attempts': this.attempts });
  }

  /** One response.done, with the tokens the upstream reported. */
  response(status: string, inputTokens: number, outputTokens: number): void {
    this.responses++;
    this.inputTokens += inputTokens;
    this.outputTokens += outputTokens;
    this.metrics.realtimeResponse(this.eventId, this.deployment, status, inputTokens, outputTokens);
  }

  /**
   * The handshake was answered without upgrading. `deployment` is the resolved name, or '' when the
   * requested one did not resolve (a client's free text would make the label unbounded).
   */
  refused(deployment: string, status: number, errorCode: string): void {
    this.metrics.realtimeSessionRefused(this.eventId, deployment, status, this.attempts);
    // An attempt that connected before the client left (a failed one has ended already).
    const winner = this.winner?.span;
    if (winner?.isRecording()) winner.end();
    if (!this.span) return;
    if (deployment) {
      this.span.updateName(`${OPERATION} ${deployment}`);
      this.span.setAttribute('gen_ai.request.model', deployment);
    }
    this.span.setAttributes({ 'http.response.status_code': status, 'aiproxy.attempts': this.attempts });
    TracingService.fail(this.span, errorCode);
    this.span.end();
  }

  /** The session ended; `code` is the close code of the side that ended it. */
  closed(by: RealtimeClosedBy, outcome: RealtimeOutcome, code: number, durationMs: number): void {
    this.metrics.realtimeSessionClosed(this.eventId, this.deployment, by, outcome, durationMs);
    const attributes = {
      'gen_ai.usage.input_tokens': this.inputTokens,
      'gen_ai.usage.output_tokens': this.outputTokens,
      'aiproxy.realtime.responses': this.responses,
      'aiproxy.realtime.closed_by': by,
      'aiproxy.realtime.close_code': code,
      'aiproxy.realtime.outcome': outcome,
    };
    // An upstream that broke the session off is an error of the attempt and the session; a client
    // leaving, or the proxy applying the event's rules, is not.
    const failure = by === 'upstream' && outcome !== 'normal' ? String(code) : undefined;
    for (const span of [this.winner?.span, this.span]) {
      if (!span?.isRecording()) continue;
      span.setAttributes(attributes);
      if (failure) TracingService.fail(span, failure);
      span.end();
    }
  }
}

/** What the realtime gateway calls: one `begin` per admitted handshake, then the session's handle. */
@Injectable()
export class RealtimeTelemetry {
  constructor(
    private readonly metrics: MetricsService,
    private readonly tracing: TracingService,
  ) {}

  begin(route: string, eventId: string, requestId: string): RealtimeSessionTelemetry {
    const span = this.tracing.startRoot(OPERATION, SpanKind.SERVER, {
      'gen_ai.operation.name': OPERATION,
      'http.route': route,
      'aiproxy.event.id': eventId,
      'aiproxy.request.id': requestId,
    });
    return new RealtimeSessionTelemetry(this.metrics, this.tracing, eventId, span);
  }
}
