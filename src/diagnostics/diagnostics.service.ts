import { Injectable, Logger } from '@nestjs/common';
import type { AccessScope } from '../auth/organiser/access-scope';
import { CatalogService } from '../catalog/catalog.service';
import type { CatalogResource } from '../catalog/catalog.types';
import { AppConfig } from '../config/app-config';
import { EventsService } from '../events/events.service';
import { BackendHealthService } from '../proxy/load-balancing/backend-health.service';
import { UpstreamClient } from '../proxy/upstream/upstream-client';
import { buildUpstreamRequest, type UpstreamTarget } from '../proxy/upstream/upstream-request';
import { ResourcesService } from '../resources/resources.service';
import { BuiltinSimulator } from '../simulator/builtin-simulator.service';
import { isProbe, probeFor, transportError, upstreamError } from './connection-probe';
import type { ConnectionTest, DeploymentsHealth } from './dto/diagnostics.schemas';

/** A test answers within this long, whatever the upstream timeouts are. */
const TEST_TIMEOUT_MS = 30_000;
/** Enough of an error body to read its message. */
const MAX_ERROR_BYTES = 64 * 1024;

class TestTimedOut extends Error {}

/**
 * Organiser diagnostics: a one-off test request through one resource, and the balancer's view of an
 * event's backends. Neither changes routing: a test's outcome is not fed to the breaker.
 */
@Injectable()
export class DiagnosticsService {
  private readonly logger = new Logger(DiagnosticsService.name);

  constructor(
    private readonly resources: ResourcesService,
    private readonly events: EventsService,
    private readonly catalog: CatalogService,
    private readonly client: UpstreamClient,
    private readonly health: BackendHealthService,
    private readonly simulator: BuiltinSimulator,
    private readonly config: AppConfig,
  ) {}

  async testConnection(id: string, scope: AccessScope): Promise<ConnectionTest> {
    await this.resources.get(id, scope); // 404 for an unknown id, or another organiser's
    let resource = this.catalog.resource(id);
    if (!resource) {
      // Created on another replica a moment ago.
      await this.catalog.changed();
      resource = this.catalog.resource(id);
    }
    const base = { resourceId: id, ok: false, testable: false, operation: null, status: null, latencyMs: null };
    if (!resource) return { ...base, error: { code: 'no_endpoint', message: 'The resource is not loaded yet; try again in a moment.' } };

    const probe = probeFor(resource);
    if (!isProbe(probe)) return { ...base, error: { code: 'not_testable', message: probe.reason } };
    const target = this.target(resource);
    if (!target) {
      return {
        ...base,
        testable: true,
        operation: probe.operation,
        error: { code: 'no_endpoint', message: 'The resource has no endpoint URL and the built-in simulator is disabled (SIMULATOR_ENABLED).' },
      };
    }
    const request = buildUpstreamRequest(target, probe.call, probe.body);
    const secrets = { apiKey: target.apiKey, urls: [request.url, target.baseUrl] };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TestTimedOut()), Math.min(TEST_TIMEOUT_MS, this.config.upstream.totalBudgetMs));
    const started = performance.now();
    const answered = { ...base, testable: true, operation: probe.operation };
    try {
      const res = await this.client.send(request, controller.signal);
      if (res.status >= 200 && res.status < 300) {
        await res.body.dump({ limit: 16 * 1024 * 1024 });
        return { ...answered, ok: true, status: res.status, latencyMs: Math.round(performance.now() - started) };
      }
      const text = res.status >= 300 && res.status < 400 ? '' : await readCapped(res.body);
      const latencyMs = Math.round(performance.now() - started);
      const error =
        res.status >= 300 && res.status < 400
          ? { code: `http_${res.status}`, message: 'The upstream redirected the request: check the endpoint URL.' }
          : upstreamError(res.status, text, secrets);
      return { ...answered, status: res.status, latencyMs, error };
    } catch (err) {
      const timedOut = controller.signal.reason instanceof TestTimedOut;
      this.logger.warn({ resourceId: id, err: (err as Error)?.message }, 'Test connection failed');
      return { ...answered, latencyMs: Math.round(performance.now() - started), error: transportError(err, timedOut) };
    } finally {
      clearTimeout(timer);
      if (!controller.signal.aborted) controller.abort();
    }
  }

  /** Each attached resource as the balancer sees it now (this replica's cooldowns and breakers). */
  async deploymentsHealth(eventId: string, scope: AccessScope): Promise<DeploymentsHealth> {
    const attached = await this.events.listResources(eventId, scope);
    const now = Date.now();
    const items = attached.map((r) => {
      const { unavailableUntil } = this.health.state(r.id, now);
      return {
        resourceId: r.id,
        name: r.name,
        deploymentName: r.deploymentName,
        priority: r.priority,
        weight: r.weight,
        active: r.active,
        breaker: this.health.breakerState(r.id, now),
        unavailableUntil: unavailableUntil > now ? new Date(unavailableUntil).toISOString() : null,
        rateLimited: this.health.rateLimited(r.id, now),
      };
    });
    items.sort((a, b) => a.deploymentName.localeCompare(b.deploymentName) || a.priority - b.priority || a.name.localeCompare(b.name));
    return { eventId, checkedAt: new Date(now).toISOString(), items };
  }

  /** Where the proxy would send this resource's requests (see ProxyService.target). */
  private target(resource: CatalogResource): UpstreamTarget | undefined {
    if (resource.endpointUrl) return { resource, baseUrl: resource.endpointUrl, apiKey: resource.apiKey };
    const url = this.simulator.url;
    if (resource.upstream !== 'simulator' || !url) return undefined;
    return { resource, baseUrl: url, apiKey: resource.apiKey ?? this.simulator.apiKey };
  }
}

/** The body as text, up to MAX_ERROR_BYTES; the rest is discarded. */
async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buf = Buffer.from(chunk);
      chunks.push(buf);
      size += buf.length;
      if (size >= MAX_ERROR_BYTES) break;
    }
  } catch {
    // a broken error body: use what arrived
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BYTES).toString('utf8');
}
