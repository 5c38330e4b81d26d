import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import { startSimulator, type RunningSimulator } from '../../src/simulator/simulator.app';
import type { SimulatorOptions } from '../../src/simulator/simulator.config';
import { registerAttendee, seedEvent } from './factories';
import type { HttpClient } from './http';

/** One backend of a pool: its own simulator (with its own key), or a URL nothing listens on. */
export interface BackendSpec {
  priority?: number;
  weight?: number;
  /** Simulator options, e.g. `{ faults: { latency_ms: 2000 } }`. */
  simulator?: SimulatorOptions;
  /** A fixed endpoint instead of a simulator (e.g. a closed port). */
  endpointUrl?: string;
}

export interface Pool {
  eventId: string;
  key: string;
  deployment: string;
  /** One per spec; undefined where the spec named a fixed endpoint. */
  sims: (RunningSimulator | undefined)[];
  close(): Promise<void>;
}

let poolCount = 0;

/**
 * Starts a simulator per spec, registers each as an Azure resource of one deployment (same name,
 * priorities and weights as given), attaches them all to a new event and registers an attendee.
 */
export async function startPool(http: HttpClient, specs: BackendSpec[], event: Record<string, unknown> = {}): Promise<Pool> {
  const deployment = `chat-${++poolCount}`;
  const sims: (RunningSimulator | undefined)[] = [];
  const resources: Record<string, unknown>[] = [];
  for (const [i, spec] of specs.entries()) {
    const apiKey = `upstream-key-${poolCount}-${i}-0123456789`;
    const sim = spec.endpointUrl ? undefined : await startSimulator({ apiKey, ...spec.simulator });
    sims.push(sim);
    resources.push({
      name: `Backend ${i}`,
      upstream: 'azure',
      modelClass: 'openai-chat',
      deploymentName: deployment,
      endpointUrl: spec.endpointUrl ?? sim!.url,
      apiKey,
      priority: spec.priority ?? 0,
      weight: spec.weight ?? 1,
    });
  }
  const seeded = await seedEvent(http, { dailyRequestCap: 100_000, ...event }, resources);
  const key = (await registerAttendee(http, seeded.event.id)).apiKey;
  return {
    eventId: seeded.event.id,
    key,
    deployment,
    sims,
    close: async () => {
      await Promise.all(sims.map((s) => s?.close()));
    },
  };
}

/** Chat requests each simulator received (model calls only, not /__mock). */
export async function chatCounts(sims: (RunningSimulator | undefined)[]): Promise<number[]> {
  return Promise.all(sims.map(async (s) => (s ? (await s.control.requests()).filter((r) => r.path.endsWith('/chat/completions')).length : 0)));
}

/** An http:// URL on loopback where nothing listens: connecting is refused at once. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A hand-written upstream for misbehaviour the simulator has no knob for (e.g. a body cut off after headers). */
export async function startRawBackend(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer((req, res) => {
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
