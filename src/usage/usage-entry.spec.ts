import { fitForStorage } from './usage.service';
import type { UsageEntry } from './usage.types';

describe('fitForStorage', () => {
  const entry: UsageEntry = {
    requestId: 'r\u00001',
    eventId: 'ev',
    attendeeId: null,
    resourceId: null,
    deployment: `gpt\u0000${'x'.repeat(300)}`,
    route: 'openai:chat/completions',
    status: 404,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    estimated: false,
    streamed: false,
    latencyMs: 1,
    ttfbMs: null,
    attempts: 0,
    errorCode: 'x'.repeat(100),
    day: '2026-01-01',
    createdAt: new Date(0),
    counted: false,
  };

  it('removes NUL characters and trims text to the column lengths', () => {
    const sut = fitForStorage(entry);
    expect(sut.requestId).toBe('r1');
    expect(sut.deployment.startsWith('gptx')).toBe(true);
    expect(sut.deployment).toHaveLength(128);
    expect(sut.errorCode).toHaveLength(64);
    expect(sut.route).toBe('openai:chat/completions');
  });
});
