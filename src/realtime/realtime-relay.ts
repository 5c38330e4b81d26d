import WebSocket from 'ws';

/** A sender whose unsent bytes pass HIGH pauses the other side's reads until they fall below LOW. */
export interface RelayLimits {
  highWaterBytes: number;
  lowWaterBytes: number;
}

export const DEFAULT_RELAY_LIMITS: RelayLimits = { highWaterBytes: 1024 * 1024, lowWaterBytes: 256 * 1024 };

export type RelayEndedBy = 'client' | 'upstream' | 'proxy';

export interface RelayEnd {
  by: RelayEndedBy;
  /** The close code the initiating side sent (or 1006 when its connection dropped). */
  code: number;
  reason: string;
}

export interface RelayHooks {
  /** Every frame from the upstream, before it is forwarded (metering reads response.done here). */
  onUpstreamFrame?(data: Buffer, isBinary: boolean): void;
  onEnd(end: RelayEnd): void;
}

/** A frame received from the upstream before the client's upgrade completed. */
export interface EarlyFrame {
  data: Buffer;
  isBinary: boolean;
}

const MAX_REASON_BYTES = 123;
/** How long a close handshake may take before the socket is cut. */
const CLOSE_GRACE_MS = 5_000;

function isSendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

function truncateReason(reason: string): string {
  let out = reason;
  while (Buffer.byteLength(out) > MAX_REASON_BYTES) out = out.slice(0, -1);
  return out;
}

/** Starts a close handshake (once), falling back to terminate() if the peer never answers. */
export function closeSocket(ws: WebSocket, code: number | undefined, reason = ''): void {
  if (ws.readyState === WebSocket.CLOSING || ws.readyState === WebSocket.CLOSED) return;
  if (ws.readyState === WebSocket.CONNECTING) {
    ws.terminate();
    return;
  }
  if (code === undefined || code === 1005) ws.close();
  else ws.close(isSendableCode(code) ? code : 1011, truncateReason(reason));
  const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
  timer.unref();
  ws.once('close', () => clearTimeout(timer));
}

/**
 * Relays frames verbatim between an attendee's socket and the upstream's, with backpressure both ways
 * (a side whose peer cannot keep up is paused, so memory stays bounded by the high-water mark per
 * direction), and passes each side's close code on to the other.
 */
export class RealtimeRelay {
  private ended?: RelayEnd;
  private proxyEnd?: RelayEnd;

  constructor(
    private readonly client: WebSocket,
    private readonly upstream: WebSocket,
    private readonly hooks: RelayHooks,
    private readonly limits: RelayLimits = DEFAULT_RELAY_LIMITS,
  ) {}

  /** Forwards the frames that arrived during the handshake, then relays until either side closes. */
  start(early: EarlyFrame[]): void {
    for (const frame of early) this.forward(this.upstream, this.client, frame.data, frame.isBinary, true);
    this.pipe(this.client, this.upstream, false);
    this.pipe(this.upstream, this.client, true);
    this.client.on('close', (code: number, reason: Buffer) => {
      // A paused socket would never read the peer's close frame.
      if (this.upstream.isPaused) this.upstream.resume();
      // A client that vanished (1006) leaves the upstream a clean "going away".
      closeSocket(this.upstream, code === 1006 ? 1001 : code, code === 1006 ? 'client went away' : reason.toString());
      this.finish({ by: 'client', code, reason: reason.toString() });
    });
    this.upstream.on('close', (code: number, reason: Buffer) => {
      if (this.client.isPaused) this.client.resume();
      closeSocket(this.client, code === 1006 ? 1011 : code, code === 1006 ? 'upstream connection lost' : reason.toString());
      this.finish({ by: 'upstream', code, reason: reason.toString() });
    });
    // 'error' is always followed by 'close', where the relay ends; without a listener it would throw.
    this.client.on('error', () => undefined);
    this.upstream.on('error', () => undefined);
  }

  get isEnded(): boolean {
    return this.ended !== undefined;
  }

  /**
   * Ends the session from the proxy's side: `lastWords` (e.g. a realtime error event) goes to the
   * client ahead of the close frame; the upstream gets a normal close.
   */
  end(code: number, reason: string, lastWords?: string): void {
    if (this.ended || this.proxyEnd) return;
    this.proxyEnd = { by: 'proxy', code, reason };
    // Paused sockets would not read the peers' close frames.
    if (this.client.isPaused) this.client.resume();
    if (this.upstream.isPaused) this.upstream.resume();
    if (lastWords !== undefined && this.client.readyState === WebSocket.OPEN) this.client.send(lastWords);
    closeSocket(this.client, code, reason);
    closeSocket(this.upstream, 1000, 'session ended by the proxy');
  }

  /** Cuts both sockets at once (shutdown after the grace period). */
  terminate(): void {
    this.client.terminate();
    this.upstream.terminate();
  }

  private pipe(from: WebSocket, to: WebSocket, fromUpstream: boolean): void {
    from.on('message', (data: Buffer, isBinary: boolean) => this.forward(from, to, data, isBinary, fromUpstream));
  }

  private forward(from: WebSocket, to: WebSocket, data: Buffer, isBinary: boolean, fromUpstream: boolean): void {
    if (fromUpstream) this.hooks.onUpstreamFrame?.(data, isBinary);
    if (to.readyState !== WebSocket.OPEN) return;
    to.send(data, { binary: isBinary }, (err) => {
      if (!err && from.isPaused && to.bufferedAmount <= this.limits.lowWaterBytes) from.resume();
    });
    if (!from.isPaused && to.bufferedAmount > this.limits.highWaterBytes && from.readyState === WebSocket.OPEN) from.pause();
  }

  private finish(end: RelayEnd): void {
    if (this.ended) return;
    this.ended = this.proxyEnd ?? end;
    this.hooks.onEnd(this.ended);
  }
}
