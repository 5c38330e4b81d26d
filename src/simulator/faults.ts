import { z } from 'zod';
import { type FailRule, type FaultConfig, type RateLimitConfig, failRuleSchema, rateLimitSchema } from './simulator.config';

/** Fault settings for one request: the config defaults overridden by any `x-mock-*` headers. */
export interface ResolvedFaults {
  latencyMs: number;
  jitterMs: number;
  ttftMs: number;
  interChunkMs: number;
  /** Only the x-mock-rate-limit header: a deployment's own tpm/rpm beats the config default. */
  rateLimitOverride?: RateLimitConfig;
  /** Where fail_next counters live: the config queue, or a queue keyed by the header's text. */
  failNext: { source: 'config' } | { source: 'header'; key: string; rules: FailRule[] };
  contentFilter?: RegExp;
  filterStreamAfter?: number;
  streamErrorAfter?: number;
  dropAfter?: number;
  xShouldRetry?: boolean;
  azureAnnotations?: boolean;
}

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export class FaultHeaderError extends Error {
  constructor(
    readonly header: string,
    detail: string,
  ) {
    super(`Invalid ${header} header: ${detail}`);
    this.name = FaultHeaderError.name;
  }
}

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function intHeader(headers: HeaderBag, name: string): number | undefined {
  const raw = header(headers, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new FaultHeaderError(name, 'expected a non-negative integer');
  return value;
}

function boolHeader(headers: HeaderBag, name: string): boolean | undefined {
  const raw = header(headers, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new FaultHeaderError(name, 'expected true or false');
}

function compileRegex(source: string, name: string): RegExp {
  try {
    return new RegExp(source, 'i');
  } catch {
    throw new FaultHeaderError(name, 'not a valid regular expression');
  }
}

/** `[{"status":500,"count":2}]` as JSON, or the shorthand `500x2,429` (count 1 when omitted). */
export function parseFailNext(raw: string): FailRule[] {
  const text = raw.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new FaultHeaderError('x-mock-fail-next', 'malformed JSON');
    }
    const parsed = z.array(failRuleSchema).safeParse(Array.isArray(json) ? json : [json]);
    if (!parsed.success) throw new FaultHeaderError('x-mock-fail-next', z.prettifyError(parsed.error));
    return parsed.data;
  }
  return text.split(',').map((part) => {
    const match = /^\s*(\d{3})(?:\s*[x*]\s*(\d+))?\s*$/i.exec(part);
    const status = Number(match?.[1]);
    const count = match?.[2] === undefined ? 1 : Number(match[2]);
    if (!match || status < 400 || status > 599 || count < 1) {
      throw new FaultHeaderError('x-mock-fail-next', `cannot read "${part}"; use e.g. 500x2,429`);
    }
    return { status, count };
  });
}

function parseRateLimit(raw: string): RateLimitConfig {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new FaultHeaderError('x-mock-rate-limit', 'malformed JSON');
  }
  const parsed = rateLimitSchema.safeParse(json);
  if (!parsed.success) throw new FaultHeaderError('x-mock-rate-limit', z.prettifyError(parsed.error));
  return parsed.data;
}

export function resolveFaults(config: FaultConfig, headers: HeaderBag): ResolvedFaults {
  const failHeader = header(headers, 'x-mock-fail-next');
  const regexSource = header(headers, 'x-mock-content-filter-regex') ?? config.content_filter_regex;
  const rateLimitHeader = header(headers, 'x-mock-rate-limit');
  return {
    latencyMs: intHeader(headers, 'x-mock-latency-ms') ?? config.latency_ms,
    jitterMs: intHeader(headers, 'x-mock-jitter-ms') ?? config.jitter_ms,
    ttftMs: intHeader(headers, 'x-mock-ttft-ms') ?? config.ttft_ms,
    interChunkMs: intHeader(headers, 'x-mock-inter-chunk-ms') ?? config.inter_chunk_ms,
    rateLimitOverride: rateLimitHeader === undefined ? undefined : parseRateLimit(rateLimitHeader),
    failNext:
      failHeader === undefined
        ? { source: 'config' }
        : { source: 'header', key: failHeader, rules: parseFailNext(failHeader) },
    contentFilter: regexSource === undefined || regexSource === '' ? undefined : compileRegex(regexSource, 'x-mock-content-filter-regex'),
    filterStreamAfter: intHeader(headers, 'x-mock-filter-stream-after') ?? config.filter_stream_after,
    streamErrorAfter: intHeader(headers, 'x-mock-stream-error-after') ?? config.stream_error_after,
    dropAfter: intHeader(headers, 'x-mock-drop-after') ?? config.drop_after,
    xShouldRetry:
      boolHeader(headers, 'x-mock-x-should-retry') ?? boolHeader(headers, 'x-mock-should-retry') ?? config.x_should_retry,
    azureAnnotations: boolHeader(headers, 'x-mock-azure-annotations'),
  };
}

/** A FIFO of pending failures: [{500,2},{429,1}] fails twice with 500, once with 429, then passes. */
export class FailQueue {
  private pending: FailRule[];

  constructor(rules: readonly FailRule[]) {
    this.pending = rules.map((rule) => ({ ...rule }));
  }

  /** The failure to inject for this request, if any, consuming one unit of it. */
  take(): FailRule | undefined {
    const head = this.pending[0];
    if (!head) return undefined;
    head.count -= 1;
    if (head.count <= 0) this.pending.shift();
    return { ...head, count: 1 };
  }

  get remaining(): number {
    return this.pending.reduce((sum, rule) => sum + rule.count, 0);
  }
}

/**
 * fail_next counters. Header-driven queues are keyed by the header's text, so an SDK that retries
 * with the same headers sees "500, 500, then 200" across its attempts.
 */
export class FailSchedule {
  private configQueue: FailQueue;
  private readonly headerQueues = new Map<string, FailQueue>();

  constructor(private configRules: readonly FailRule[]) {
    this.configQueue = new FailQueue(configRules);
  }

  take(faults: ResolvedFaults): FailRule | undefined {
    if (faults.failNext.source === 'config') return this.configQueue.take();
    const { key, rules } = faults.failNext;
    let queue = this.headerQueues.get(key);
    if (!queue) {
      queue = new FailQueue(rules);
      this.headerQueues.set(key, queue);
    }
    return queue.take();
  }

  /** Re-arms from the config (after PATCH or reset) and forgets header counters. */
  rearm(configRules: readonly FailRule[] = this.configRules): void {
    this.configRules = configRules;
    this.configQueue = new FailQueue(configRules);
    this.headerQueues.clear();
  }
}
