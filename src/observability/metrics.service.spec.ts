import { AggregatorRegistry } from 'prom-client';
import { MetricsService } from './metrics.service';

describe(MetricsService.name, () => {
  const observation = { eventId: 'ev-1', deployment: 'chat', status: 200, promptTokens: 10, completionTokens: 5, latencyMs: 300, ttfbMs: 40, attempts: 1, failedOver: false };

  it('counts requests and tokens by event, deployment and status', async () => {
    const sut = new MetricsService();
    sut.request(observation);
    sut.request({ ...observation, status: 429, promptTokens: 0, completionTokens: 0 });
    const { body } = await sut.scrape();
    expect(body).toContain('aiproxy_requests_total{event="ev-1",deployment="chat",status="200"} 1');
    expect(body).toContain('aiproxy_requests_total{event="ev-1",deployment="chat",status="429"} 1');
    expect(body).toContain('aiproxy_tokens_total{event="ev-1",deployment="chat",type="prompt"} 10');
    expect(body).toContain('aiproxy_tokens_total{event="ev-1",deployment="chat",type="completion"} 5');
    expect(body).toContain('aiproxy_request_duration_seconds_bucket{le="0.5",event="ev-1",deployment="chat",status="200"} 1');
  });

  it('counts retries as attempts beyond the first, and a failover once per request', async () => {
    const sut = new MetricsService();
    sut.request({ ...observation, attempts: 3, failedOver: true });
    const { body } = await sut.scrape();
    expect(body).toContain('aiproxy_upstream_retries_total{deployment="chat"} 2');
    expect(body).toContain('aiproxy_failovers_total{deployment="chat"} 1');
  });

  it('reads gauges at scrape time and forgets label sets that are gone', async () => {
    const sut = new MetricsService();
    let backends = ['a', 'b'];
    sut.gauge('test_state', 'test', ['resource'], (g) => backends.forEach((r) => g.set({ resource: r }, 1)));
    expect((await sut.scrape()).body).toContain('test_state{resource="b"} 1');
    backends = ['a'];
    const { body } = await sut.scrape();
    expect(body).toContain('test_state{resource="a"} 1');
    expect(body).not.toContain('resource="b"');
  });

  it('exposes a total kept elsewhere as a counter', async () => {
    const sut = new MetricsService();
    let dropped = 0;
    sut.counterFrom('test_dropped_total', 'test', () => dropped);
    dropped = 7;
    expect((await sut.scrape()).body).toMatch(/^test_dropped_total 7$/m);
  });

  it('counts realtime sessions opened, refused and closed, the open ones, their length and their tokens', async () => {
    const sut = new MetricsService();
    sut.realtimeSessionOpened('ev-1', 'rt', 2);
    sut.realtimeSessionOpened('ev-1', 'rt', 1);
    sut.realtimeResponse('ev-1', 'rt', 'completed', 12, 7);
    sut.realtimeResponse('ev-1', 'rt', 'something-new', 3, 0);
    sut.realtimeSessionClosed('ev-1', 'rt', 'client', 'normal', 42_000);
    sut.realtimeSessionRefused('ev-1', '', 404, 0);
    const { body } = await sut.scrape();
    expect(body).toContain('aiproxy_realtime_sessions_opened_total{event="ev-1",deployment="rt"} 2');
    expect(body).toContain('aiproxy_realtime_sessions_open{event="ev-1",deployment="rt"} 1');
    expect(body).toContain('aiproxy_realtime_sessions_closed_total{event="ev-1",deployment="rt",closed_by="client",outcome="normal"} 1');
    expect(body).toContain('aiproxy_realtime_session_duration_seconds_bucket{le="60",event="ev-1",deployment="rt"} 1');
    expect(body).toContain('aiproxy_realtime_session_duration_seconds_bucket{le="30",event="ev-1",deployment="rt"} 0');
    expect(body).toContain('aiproxy_realtime_sessions_refused_total{event="ev-1",deployment="",status="404"} 1');
    expect(body).toContain('aiproxy_realtime_responses_total{event="ev-1",deployment="rt",status="completed"} 1');
    expect(body).toContain('aiproxy_realtime_responses_total{event="ev-1",deployment="rt",status="other"} 1');
    expect(body).toContain('aiproxy_tokens_total{event="ev-1",deployment="rt",type="prompt"} 15');
    expect(body).toContain('aiproxy_tokens_total{event="ev-1",deployment="rt",type="completion"} 7');
    expect(body).toContain('aiproxy_upstream_retries_total{deployment="rt"} 1');
    expect(body).toContain('aiproxy_failovers_total{deployment="rt"} 1');
  });

  it('sums the realtime series across cluster workers, as the primary does for METRICS_PORT', async () => {
    const workers = [new MetricsService(), new MetricsService()];
    for (const w of workers) {
      w.realtimeSessionOpened('ev-1', 'rt', 1);
      w.realtimeResponse('ev-1', 'rt', 'completed', 10, 4);
    }
    workers[0].realtimeSessionClosed('ev-1', 'rt', 'upstream', 'dropped', 2_000);
    const sut = AggregatorRegistry.aggregate(await Promise.all(workers.map((w) => w.registry.getMetricsAsJSON())));
    const body = await sut.metrics();
    expect(body).toContain('aiproxy_realtime_sessions_opened_total{event="ev-1",deployment="rt"} 2');
    expect(body).toContain('aiproxy_realtime_sessions_open{event="ev-1",deployment="rt"} 1');
    expect(body).toContain('aiproxy_realtime_sessions_closed_total{event="ev-1",deployment="rt",closed_by="upstream",outcome="dropped"} 1');
    expect(body).toContain('aiproxy_realtime_session_duration_seconds_count{event="ev-1",deployment="rt"} 1');
    expect(body).toContain('aiproxy_tokens_total{event="ev-1",deployment="rt",type="prompt"} 20');
  });
});
