import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, LogFn } from 'pino';

/**
 * A request's logger that becomes a real pino child only when it first logs at an enabled level. Fastify
 * makes a child per request; pino's binds a method per level and serialises the bindings up front, which
 * every request paid for (CPU, and memory for as long as a stream stays open) although at the usual
 * levels most requests log nothing. What it writes, when it writes, is exactly what the child would.
 */
export class LazyChildLogger {
  private real?: FastifyBaseLogger;

  constructor(
    private readonly parent: FastifyBaseLogger & { isLevelEnabled(level: string): boolean },
    private readonly bindings: Bindings,
  ) {}

  private resolve(): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings));
  }

  private write(level: Level, args: Parameters<LogFn>): void {
    if (this.parent.isLevelEnabled(level)) (this.resolve()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.real?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.resolve().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return this.real ? (this.real as unknown as LazyChildLogger['parent']).isLevelEnabled(level) : this.parent.isLevelEnabled(level);
  }

  fatal(...args: Parameters<LogFn>): void {
    this.write('fatal', args);
  }
  error(...args: Parameters<LogFn>): void {
    this.write('error', args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.write('warn', args);
  }
  info(...args: Parameters<LogFn>): void {
    this.write('info', args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.write('debug', args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.resolve().child(bindings, options);
  }
}

/** Fastify's per-request logger factory: lazy unless the route asks for its own level or serializers. */
export const lazyChildLoggerFactory = (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger =>
  options.level || options.serializers || options.redact
    ? logger.child(bindings, options)
    : (new LazyChildLogger(logger as LazyChildLogger['parent'], bindings) as unknown as FastifyBaseLogger);
