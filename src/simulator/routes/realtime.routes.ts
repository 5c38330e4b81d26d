import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';
import { authorize } from '../auth';
import { type Surface, SimulatedError, errors } from '../errors';
import { FaultHeaderError, type HeaderBag, resolveFaults } from '../faults';
import { delay, resolveDeployment } from '../pipeline';
import { type RealtimeFlavour, SimulatedRealtimeSession } from '../realtime';
import { redactHeaders, redactQuery } from '../request-log';
import type { SimulatorState } from '../simulator.state';

const DATED_API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
export const INSECURE_KEY_PROTOCOL = 'openai-insecure-api-key.';
export const BETA_PROTOCOL = 'openai-beta.realtime-v1';
/** Client frames up to 16 MiB (an input_audio_buffer.append of 15 MiB of audio is allowed upstream). */
const MAX_PAYLOAD = 16 * 1024 * 1024;

interface RealtimeTarget {
  surface: Exclude<Surface, 'search' | 'inference'>;
  flavour: RealtimeFlavour;
  deployment: string;
}

function protocolsOf(request: IncomingMessage): string[] {
  const raw = request.headers['sec-websocket-protocol'];
  return typeof raw === 'string' ? raw.split(',').map((p) => p.trim()).filter(Boolean) : [];
}

/** Chooses the subprotocol to echo: `realtime` first, never the one carrying a key. */
export function chooseProtocol(offered: Iterable<string>): string | false {
  const list = [...offered];
  if (list.includes('realtime')) return 'realtime';
  if (list.includes(BETA_PROTOCOL)) return BETA_PROTOCOL;
  return false;
}

/** Keys sent as a subprotocol never reach the request log. */
function loggedHeaders(request: IncomingMessage): Record<string, string | string[]> {
  const headers = redactHeaders(request.headers);
  const protocol = headers['sec-websocket-protocol'];
  if (typeof protocol === 'string') {
    headers['sec-websocket-protocol'] = protocol.replace(/openai-insecure-api-key\.[^,\s]*/g, `${INSECURE_KEY_PROTOCOL}[REDACTED]`);
  }
  return headers;
}

/**
 * The three realtime URLs of UPSTREAM.md §1/§8. The GA URL refuses an api-version (401, as Azure does);
 * the preview URL requires a dated one (404 otherwise).
 */
function target(path: string, query: URLSearchParams, headers: HeaderBag, protocols: string[]): RealtimeTarget | SimulatedError | undefined {
  const betaHeader = /realtime=v1/i.test(String(headers['openai-beta'] ?? '')) || protocols.includes(BETA_PROTOCOL);
  const required = (name: string): string | SimulatedError => {
    const value = query.get(name);
    return value ? value : errors.badRequest(`Missing required parameter: '${name}'.`, name, 'missing_required_parameter');
  };
  let surface: RealtimeTarget['surface'];
  let name: string | SimulatedError;
  switch (path) {
    case '/openai/v1/realtime':
      if (query.has('api-version')) return errors.azureUnauthorized();
      surface = 'azure-v1';
      name = required('model');
      break;
    case '/openai/realtime':
      if (!DATED_API_VERSION.test(query.get('api-version') ?? '')) return errors.resourceNotFound();
      surface = 'azure';
      name = required('deployment');
      break;
    case '/v1/realtime':
      surface = 'openai';
      name = required('model');
      break;
    default:
      return undefined;
  }
  if (name instanceof SimulatedError) return name;
  return { surface, deployment: name, flavour: surface === 'azure' || betaHeader ? 'beta' : 'ga' };
}

/** Azure realtime also takes the key as `?api-key=` (browsers); OpenAI takes it as a subprotocol. */
function credentialHeaders(surface: RealtimeTarget['surface'], request: IncomingMessage, query: URLSearchParams, protocols: string[]): HeaderBag {
  const headers: Record<string, string | string[] | undefined> = { ...request.headers };
  if (surface !== 'openai' && headers['api-key'] === undefined && query.get('api-key')) headers['api-key'] = query.get('api-key') ?? undefined;
  const insecure = protocols.find((p) => p.startsWith(INSECURE_KEY_PROTOCOL));
  if (surface === 'openai' && headers['authorization'] === undefined && insecure) {
    headers['authorization'] = `Bearer ${insecure.slice(INSECURE_KEY_PROTOCOL.length)}`;
  }
  return headers;
}

/** Refuses a handshake with a plain HTTP answer and a JSON body, as the real services do. */
function refuse(socket: Duplex, error: SimulatedError): void {
  const body = JSON.stringify(error.body);
  const headers = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...error.headers };
  const head = [`HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/**
 * The realtime WebSocket endpoint on the simulator's own port. Handshakes are checked like HTTP
 * requests (auth, api-version, deployment, then latency_ms and fail_next); a session then runs the
 * protocol of SimulatedRealtimeSession with ttft_ms, inter_chunk_ms and drop_after applied to deltas.
 */
export function registerRealtimeRoutes(app: FastifyInstance, state: SimulatorState): void {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_PAYLOAD, handleProtocols: (offered) => chooseProtocol(offered) });
  const sockets = new Set<Duplex>();

  const accept = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    const url = new URL(`http://simulator${request.url ?? '/'}`);
    const path = url.pathname.replace(/\/+$/, '').replace(/\/{2,}/g, '/');
    const protocols = protocolsOf(request);
    const found = target(path, url.searchParams, request.headers, protocols);
    if (found === undefined) {
      refuse(socket, errors.resourceNotFound());
      return;
    }
    state.requests.add({ method: 'GET', path, query: redactQuery(Object.fromEntries(url.searchParams)), headers: loggedHeaders(request), body: undefined });
    try {
      if (found instanceof SimulatedError) throw found;
      const config = state.config;
      authorize(found.surface, credentialHeaders(found.surface, request, url.searchParams, protocols), config);
      const deployment = resolveDeployment(config, found.surface, found.deployment);
      const faults = resolveFaults(config.faults, request.headers);
      await delay(faults, state);
      const failure = state.failures.take(faults);
      if (failure) throw errors.injected(found.surface, failure.status);
      if (socket.destroyed) return;
      wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
        const session = new SimulatedRealtimeSession({
          flavour: found.flavour,
          model: deployment.model,
          replyText: config.replyText,
          chunkWords: config.chunkWords,
          ttftMs: faults.ttftMs,
          interChunkMs: faults.interChunkMs,
          dropAfter: faults.dropAfter,
          randomHex: (length) => Array.from({ length }, () => state.random.int(16).toString(16)).join(''),
          now: () => state.createdAt(),
          send: (event) => {
            if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
          },
          drop: () => ws.terminate(),
        });
        ws.on('message', (data: Buffer, isBinary: boolean) => session.receive(data, isBinary));
        ws.on('close', () => session.close());
        ws.on('error', () => ws.terminate());
        session.start();
      });
    } catch (error) {
      if (error instanceof FaultHeaderError) refuse(socket, errors.badRequest(error.message, error.header));
      else if (error instanceof SimulatedError) refuse(socket, error);
      else refuse(socket, errors.injected('azure', 500));
    }
  };

  app.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
    accept(request, socket, head).catch(() => socket.destroy());
  });
  // Upgraded sockets are no longer the HTTP server's to close.
  app.addHook('preClose', (done) => {
    for (const socket of sockets) socket.destroy();
    done();
  });
}
