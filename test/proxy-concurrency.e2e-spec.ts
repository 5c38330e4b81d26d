import { Pool, startPool } from './support/backends';
import { httpClient } from './support/http';
import { startTestApp, TestApp } from './support/test-app';

/** More than the 256 connections the upstream pool was once capped at. */
const STREAMS = 300;

interface Timing {
  firstChunkAt: number;
  doneAt: number;
}

describe('proxy upstream concurrency', () => {
  let t: TestApp;
  let pool: Pool;

  beforeAll(async () => {
    t = await startTestApp();
    // Each stream waits between its chunks, so every stream stays open for a couple of seconds.
    pool = await startPool(httpClient(t.url), [{ simulator: { replyText: 'one two', faults: { inter_chunk_ms: 1_000 } } }]);
  });
  afterAll(async () => {
    await pool.close();
    await t.close();
  });

  async function openStream(): Promise<Timing> {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pool.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: pool.deployment, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let firstChunkAt = 0;
    let text = '';
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (firstChunkAt === 0) firstChunkAt = Date.now();
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain('data: [DONE]');
    return { firstChunkAt, doneAt: Date.now() };
  }

  it(`keeps ${STREAMS} slow streams open upstream at once`, async () => {
    const timings = await Promise.all(Array.from({ length: STREAMS }, () => openStream()));

    // A connection cap below STREAMS would hold the later streams back until earlier ones ended, so
    // their first chunk could only arrive after some stream had finished.
    const lastFirstChunk = Math.max(...timings.map((x) => x.firstChunkAt));
    const firstDone = Math.min(...timings.map((x) => x.doneAt));
    expect(lastFirstChunk).toBeLessThan(firstDone);
  }, 30_000);
});
