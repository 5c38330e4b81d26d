import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS, redactUrl } from './logger';

describe('logger redaction', () => {
  it('removes keys from query strings', () => {
    expect(redactUrl('/openai/realtime?api-version=1&api-key=sk-secret&deployment=x')).toBe(
      '/openai/realtime?api-version=1&api-key=[REDACTED]&deployment=x',
    );
    expect(redactUrl('/ws?key=abc')).toBe('/ws?key=[REDACTED]');
  });

  it('censors credential headers in structured log lines', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const sut = pino({ redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, sink);
    sut.info({ req: { headers: { authorization: 'Bearer aip_secret', 'api-key': 'aip_secret2' } }, apiKey: 'x-up' });
    expect(lines.join('')).not.toMatch(/aip_secret|x-up/);
    expect(lines.join('')).toContain('[REDACTED]');
  });
});
