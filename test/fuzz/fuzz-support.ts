import { connect } from 'node:net';

/** mulberry32: small, fast and seedable, so a failing run reproduces with FUZZ_SEED. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const chance = (p: number) => next() < p;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const text = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  return { next, int, pick, chance, bytes, text };
}
export type Prng = ReturnType<typeof prng>;

/** Path values for `{param}` segments: plausible ids and hostile ones (traversal, encodings, control characters). */
export const HOSTILE_SEGMENTS = [
  '..',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2fadmin',
  '....//....//',
  '%00',
  'a%00b',
  '%0d%0aSet-Cookie:%20x=1',
  '%zz',
  '%',
  '%E2%80%AE',
  '%F0%9F%92%A9',
  '%C0%AF',
  '%FF%FE',
  "'%20OR%201=1--",
  '%3Cscript%3E',
  'x'.repeat(300),
  'x'.repeat(5000),
  '-1',
  '0',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '%20',
  '~',
  '(bad)',
  "('docs')",
];

export const API_VERSIONS = [
  '2024-10-21',
  '2025-04-01-preview',
  '2024-02-01',
  '1999-01-01',
  '2031-12-31-preview',
  '2024-13-45',
  'v1',
  'preview',
  'latest',
  '',
  'x',
  '2024-10-21%0d%0aX-Injected:%201',
  '2024-10-21&api-version=2025-01-01',
  '../../2024-10-21',
  '%00',
  '2024-10-21-preview-preview',
  '9'.repeat(400),
];

/** Bodies that are not what any route expects. `label` names the kind for the printed counts. */
export function hostileBody(r: Prng, model: string): { label: string; body: Buffer | string; contentType?: string } {
  switch (r.int(16)) {
    case 0:
      return { label: 'broken-json', body: r.pick(['{', '{"model":', '{"a":1,}', "{'a':1}", '[1,2', '{"a":"\\u12"}', 'nul', '{"a":1}{"b":2}', '\u0000']) };
    case 1:
      return { label: 'wrong-types', body: JSON.stringify({ model: r.pick([1, true, null, [], {}, 'x'.repeat(200)]), messages: r.pick(['hi', 5, [1], [{ role: 7 }], null, {}]), stream: r.pick(['yes', 1, null]) }) };
    case 2:
      return {
        label: 'bad-numbers',
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: r.pick([-1, 0, 1.5, 1e308, 'ten', null, 2 ** 53]), n: r.pick([-1, 1000, 'x']), temperature: r.pick([-5, 'hot', 1e9]) }),
      };
    case 3: {
      const depth = r.pick([100, 1_000, 10_000, 50_000]);
      return { label: 'deep-nesting', body: `{"model":"${model}","messages":${'['.repeat(depth)}${']'.repeat(depth)}}` };
    }
    case 4:
      return { label: 'invalid-utf8', body: Buffer.concat([Buffer.from(`{"model":"${model}","messages":[{"role":"user","content":"`), r.bytes(64).map((b) => b | 0x80), Buffer.from('"}]}')]) };
    case 5:
      return { label: 'nul-and-controls', body: JSON.stringify({ model: `${model}\u0000`, messages: [{ role: 'user\u0000', content: '\u0000\u0001\u001b[31m\ud800' }] }) };
    case 6:
      return { label: 'proto-keys', body: `{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"model":"${model}","messages":[{"role":"user","content":"hi"}]}` };
    case 7:
      return { label: 'empty', body: '' };
    case 8:
      return { label: 'not-json-type', body: 'model=x&messages=y', contentType: r.pick(['application/x-www-form-urlencoded', 'text/plain', 'application/xml', 'image/png', 'application/json; charset=utf-16']) };
    case 9:
      return { label: 'random-bytes', body: r.bytes(r.int(2048)), contentType: r.pick(['application/json', 'application/octet-stream', 'multipart/form-data']) };
    case 10:
      return { label: 'array-body', body: JSON.stringify([{ model }]) };
    case 11:
      return { label: 'big-strings', body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x'.repeat(r.pick([1_000, 20_000])) }], user: 'u'.repeat(5_000) }) };
    case 12:
      // Over BODY_LIMIT_BYTES (1 MB in the fuzz app), or just under it with the bulk outside any prompt text.
      return r.chance(0.5)
        ? { label: 'huge-body', body: '{"model":"' + 'x'.repeat(1_100_000) + '"}' }
        : { label: 'huge-body-in-limit', body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], metadata: { pad: 'p'.repeat(900_000) } }) };
    case 13:
      return { label: 'many-keys', body: JSON.stringify(Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]))) };
    case 14:
      return { label: 'plausible', body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }], input: 'hello', prompt: 'hi', max_tokens: 16, stream: r.chance(0.3) }) };
    default:
      return { label: 'admin-shaped', body: JSON.stringify({ id: r.pick(HOSTILE_SEGMENTS), name: r.text(r.int(300)), startsAt: r.pick(['x', 5, '2026-01-01T00:00:00Z']), endsAt: null, dailyRequestCap: r.pick([-1, 'many', 1e12]), timeZone: r.pick(['Mars/Base', 'UTC', '../../etc']) }) };
  }
}

/** Multipart uploads that are broken in one way or another (audio routes). */
export function hostileMultipart(r: Prng, model: string): { label: string; body: Buffer; contentType: string } {
  const boundary = `----fuzz${r.int(1e9)}`;
  const part = (name: string, value: string | Buffer, filename?: string) =>
    Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n${filename ? 'Content-Type: audio/wav\r\n' : ''}\r\n`),
      Buffer.isBuffer(value) ? value : Buffer.from(value),
      Buffer.from('\r\n'),
    ]);
  const end = Buffer.from(`--${boundary}--\r\n`);
  const ct = `multipart/form-data; boundary=${boundary}`;
  switch (r.int(7)) {
    case 0:
      return { label: 'multipart-no-file', body: Buffer.concat([part('model', model), end]), contentType: ct };
    case 1:
      return { label: 'multipart-wrong-boundary', body: Buffer.concat([part('file', r.bytes(100), 'a.wav'), end]), contentType: 'multipart/form-data; boundary=other' };
    case 2:
      return { label: 'multipart-truncated', body: part('file', r.bytes(500), 'a.wav').subarray(0, 80), contentType: ct };
    case 3:
      return { label: 'multipart-no-boundary', body: Buffer.concat([part('file', r.bytes(100), 'a.wav'), end]), contentType: 'multipart/form-data' };
    case 4:
      return { label: 'multipart-hostile-names', body: Buffer.concat([part('file', r.bytes(100), '../../etc/passwd\u0000.wav'), part('model"; x="y', model), end]), contentType: ct };
    case 5:
      return { label: 'multipart-garbage', body: r.bytes(1_000), contentType: ct };
    default:
      return { label: 'multipart-plausible', body: Buffer.concat([part('model', model), part('file', Buffer.alloc(2_000), 'a.wav'), end]), contentType: ct };
  }
}

/** Requests no HTTP client library would send: the raw bytes go straight to the socket. */
export const RAW_REQUESTS: { label: string; build: (path: string) => string }[] = [
  { label: 'raw-header-injection', build: (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nX-A: a\rInjected: b\r\n\r\n` },
  { label: 'raw-lf-only', build: (p) => `GET ${p} HTTP/1.1\nHost: x\n\n` },
  { label: 'raw-no-colon', build: (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nBroken header\r\n\r\n` },
  { label: 'raw-obs-fold', build: (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n` },
  { label: 'raw-huge-header', build: (p) => `GET ${p} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n` },
  { label: 'raw-cl-te-conflict', build: (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n` },
  { label: 'raw-bad-chunk', build: (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n` },
  { label: 'raw-double-cl', build: (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}` },
  { label: 'raw-garbage-line', build: () => `\u0016\u0003\u0001\u0002\u0000\u0001\u0000\r\n\r\n` },
  { label: 'raw-absolute-uri', build: (p) => `GET http://evil.example${p} HTTP/1.1\r\nHost: x\r\n\r\n` },
  { label: 'raw-http10', build: (p) => `GET ${p} HTTP/1.0\r\n\r\n` },
  { label: 'raw-bad-method', build: (p) => `BREW ${p} HTTP/1.1\r\nHost: x\r\n\r\n` },
  { label: 'raw-short-body', build: (p) => `POST ${p} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{"a":` },
];

/** Sends raw bytes and reads the status line (0 when the server closed without answering). */
export function rawRequest(port: number, bytes: string, timeoutMs = 3_000): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const done = () => {
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve(m ? Number(m[1]) : 0);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
      if (/^HTTP\/1\.[01] \d{3}/.test(data)) {
        clearTimeout(timer);
        done();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
    socket.end(bytes);
  });
}
