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
});
