import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { request as undiciRequest } from 'undici';
import { wavBytes } from '../src/simulator/content';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator.app';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient, HttpResult } from './support/http';
import { pollUntil } from './support/poll';
import { attendeeHeaders, builtinResource, expectOpenAiError, simulatedResource, upstreamRequests } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';
import { usageRecords } from './support/usage-records';

const SIM_KEY = 'audio-upstream-key-6d2a';
const CAPTURE_KEY = 'audio-capture-key-91e0';
const API_VERSION = '2024-10-21';
/** One second of 24 kHz mono PCM16. */
const WAV = wavBytes(24_000);
const MB = 1024 * 1024;

interface Captured {
  url: string;
  headers: IncomingHttpHeaders;
  bytes: number;
  sha256: string;
  /** The first 4 KiB, enough to read the fields written before a small file. */
  head: Buffer;
  tail: string;
}

/** An OpenAI-compatible upstream that hashes the upload as it streams in and answers a transcript. */
async function startCapture(): Promise<{ url: string; seen: Captured[]; server: Server }> {
  const seen: Captured[] = [];
  const server = createServer((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    const head: Buffer[] = [];
    let last = Buffer.alloc(0);
    req.on('data', (c: Buffer) => {
      hash.update(c);
      if (bytes < 4096) head.push(c.subarray(0, 4096 - bytes));
      bytes += c.length;
      last = Buffer.concat([last, c]).subarray(-512);
    });
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, bytes, sha256: hash.digest('hex'), head: Buffer.concat(head), tail: last.toString('latin1') });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'captured', usage: { type: 'duration', seconds: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

const BOUNDARY = '----aiproxy-test-boundary-7f1d';

/** A multipart body written by hand, so the test knows every byte the client sent. */
function multipart(fields: [name: string, value: string | Buffer, filename?: string][]): Buffer {
  const parts = fields.map(([name, value, filename]) =>
    Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: audio/wav` : ''}\r\n\r\n`),
      Buffer.from(value),
      Buffer.from('\r\n'),
    ]),
  );
  return Buffer.concat([...parts, Buffer.from(`--${BOUNDARY}--\r\n`)]);
}

/** A multipart upload whose audio is `fileBytes` of generated data, produced lazily in 64 KiB chunks. */
function lazyUpload(fileBytes: number, model = 'whisper'): Readable {
  return Readable.from(
    (function* () {
      yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="long.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      for (let sent = 0; sent < fileBytes; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, fileBytes - sent));
      yield Buffer.from(`\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="model"\r\n\r\n${model}\r\n--${BOUNDARY}--\r\n`);
    })(),
  );
}

function spooledFiles(): string[] {
  return readdirSync(tmpdir()).filter((f) => f.startsWith('aip-upload-'));
}

describe('proxy: audio', () => {
  let t: TestApp;
  let http: HttpClient;
  let sim: RunningSimulator;
  let capture: Awaited<ReturnType<typeof startCapture>>;
  let event: EventResponse;
  let key: string;
  let openai: OpenAI;
  let spooledBefore: string[];

  const file = () => toFile(WAV, 'hello.wav', { type: 'audio/wav' });
  const multipartHeaders = () => ({ ...attendeeHeaders(key), 'content-type': `multipart/form-data; boundary=${BOUNDARY}` });
  /** POSTs raw multipart bytes (the test client would send a string as UTF-8). */
  async function upload(path: string, body: Buffer, headers: Record<string, string> = multipartHeaders()): Promise<HttpResult> {
    const res = await fetch(t.url + path, { method: 'POST', headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // a text transcript
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  beforeAll(async () => {
    spooledBefore = spooledFiles();
    sim = await startSimulator({ apiKey: SIM_KEY });
    capture = await startCapture();
    t = await startTestApp();
    http = httpClient(t.url);
    ({ event } = await seedEvent(http, { modelAliases: { 'whisper-1': 'whisper' } }, [
      simulatedResource(sim, SIM_KEY, { deploymentName: 'whisper', modelClass: 'openai-audio-transcription' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'whisper-oa', modelClass: 'openai-audio-transcription', upstream: 'openai', endpointUrl: `${sim.url}/v1`, modelName: 'whisper-1' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'tts', modelClass: 'openai-audio-speech' }),
      simulatedResource(sim, SIM_KEY, { deploymentName: 'tts-oa', modelClass: 'openai-audio-speech', upstream: 'openai', endpointUrl: sim.url, modelName: 'tts-1' }),
      { name: 'Capture', deploymentName: 'captured', modelClass: 'openai-audio-transcription', upstream: 'openai', endpointUrl: capture.url, apiKey: CAPTURE_KEY, modelName: 'real-whisper' },
      builtinResource({ deploymentName: 'chat' }),
    ]));
    key = (await registerAttendee(http, event.id)).apiKey;
    openai = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
    capture.server.close();
  });
  beforeEach(async () => {
    await sim.control.reset();
    capture.seen.length = 0;
  });
  afterEach(async () => {
    // Every upload is spooled to a temporary file; none outlives its request (removal ends just after the answer).
    const left = await pollUntil(async () => spooledFiles().filter((f) => !spooledBefore.includes(f)), (files) => files.length === 0, 2_000);
    expect(left).toEqual([]);
  });

  describe('transcriptions and translations with the openai SDK', () => {
    it('transcribes on /v1 and /openai/v1, the file reaching the Azure deployment whole and without the model field', async () => {
      const azureV1 = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key, maxRetries: 0 });
      for (const client of [openai, azureV1]) {
        const res = await client.audio.transcriptions.create({ model: 'whisper', file: await file() });
        expect(res.text).toBe('simulated transcription of hello.wav');
      }
      const sent = await upstreamRequests(sim, '/audio/transcriptions');
      expect(sent.map((r) => r.path)).toEqual(['/openai/deployments/whisper/audio/transcriptions', '/openai/deployments/whisper/audio/transcriptions']);
      expect(sent[0].query['api-version']).toBe(API_VERSION);
      expect(sent[0].body).toEqual({ multipart: [{ name: 'file', filename: 'hello.wav', contentType: 'audio/wav', bytes: WAV.length }] });
      expect(JSON.stringify(sent)).not.toContain(key);
    });

    it('serves the Azure dated routes (also under /api/v1) through AzureOpenAI', async () => {
      for (const endpoint of [t.url, `${t.url}/api/v1`]) {
        const azure = new AzureOpenAI({ endpoint, apiKey: key, apiVersion: API_VERSION, maxRetries: 0 });
        const verbose = await azure.audio.transcriptions.create({ model: 'whisper', file: await file(), response_format: 'verbose_json' });
        expect(verbose).toMatchObject({ text: 'simulated transcription of hello.wav', duration: 1, segments: [{ end: 1 }] });
        const translated = await azure.audio.translations.create({ model: 'whisper', file: await file(), prompt: 'bonjour' });
        expect(translated.text).toBe('echo: bonjour');
      }
      expect((await upstreamRequests(sim, '/audio/translations')).map((r) => r.path)).toEqual([
        '/openai/deployments/whisper/audio/translations',
        '/openai/deployments/whisper/audio/translations',
      ]);
    });

    it('passes text formats on as text/plain', async () => {
      const text = await openai.audio.transcriptions.create({ model: 'whisper', file: await file(), response_format: 'text' });
      expect(text).toBe('simulated transcription of hello.wav\n');
      const srt = await upload('/v1/audio/transcriptions', multipart([['file', WAV, 'a.wav'], ['model', 'whisper'], ['response_format', 'srt']]));
      expect(srt.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(srt.text).toBe('1\n00:00:00,000 --> 00:00:01,000\nsimulated transcription of a.wav\n\n');
    });

    it('resolves an alias and gives an OpenAI-compatible upstream its own model name', async () => {
      await openai.audio.transcriptions.create({ model: 'whisper-1', file: await file() });
      await openai.audio.translations.create({ model: 'whisper-oa', file: await file() });
      expect((await upstreamRequests(sim, '/audio/transcriptions'))[0].path).toBe('/openai/deployments/whisper/audio/transcriptions');
      const [toOpenAi] = await upstreamRequests(sim, '/v1/audio/translations');
      expect(toOpenAi.headers).toHaveProperty('authorization');
      const parts = (toOpenAi.body as { multipart: { name: string; value?: string }[] }).multipart;
      expect(parts).toHaveLength(2);
      expect(parts).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'file', bytes: WAV.length }), { name: 'model', value: 'whisper-1' }]));
    });

    it('sends every byte of the upload as the client wrote it, only the model value changed', async () => {
      const audio = randomBytes(300_000);
      const sent = multipart([['file', audio, 'noise.wav'], ['model', 'captured'], ['language', 'en']]);
      const res = await upload('/v1/audio/transcriptions', sent);
      expect(res.status).toBe(200);
      const expected = multipart([['file', audio, 'noise.wav'], ['model', 'real-whisper'], ['language', 'en']]);
      const [seen] = capture.seen;
      expect(seen.url).toBe('/v1/audio/transcriptions');
      expect(seen.headers['content-type']).toBe(`multipart/form-data; boundary=${BOUNDARY}`);
      expect(seen.headers['content-length']).toBe(String(expected.length));
      expect(seen.headers.authorization).toBe(`Bearer ${CAPTURE_KEY}`);
      expect(seen.bytes).toBe(expected.length);
      expect(seen.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    });

    it('streams a 20 MB upload through intact', async () => {
      const size = 20 * MB;
      const res = await undiciRequest(`${t.url}/v1/audio/transcriptions`, {
        method: 'POST',
        headers: multipartHeaders(),
        body: lazyUpload(size, 'captured'),
      });
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toEqual({ text: 'captured', usage: { type: 'duration', seconds: 1 } });
      const hash = createHash('sha256');
      for await (const chunk of lazyUpload(size, 'real-whisper')) hash.update(chunk as Buffer);
      expect(capture.seen[0].sha256).toBe(hash.digest('hex'));
      expect(capture.seen[0].tail).toContain('name="model"\r\n\r\nreal-whisper\r\n');
    });
  });

  describe('speech', () => {
    it('streams the audio bytes back with their content type, on every route family', async () => {
      const azure = new AzureOpenAI({ endpoint: t.url, apiKey: key, apiVersion: API_VERSION, maxRetries: 0 });
      const azureV1 = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key, maxRetries: 0 });
      for (const client of [openai, azure, azureV1]) {
        const res = await client.audio.speech.create({ model: 'tts', voice: 'alloy', input: 'Hello there', response_format: 'wav' });
        expect(res.headers.get('content-type')).toBe('audio/wav');
        expect(res.headers.get('content-length')).toBe(String(44 + 2400 * 2));
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
        expect(bytes).toHaveLength(44 + 2400 * 2);
      }
      const sent = await upstreamRequests(sim, '/audio/speech');
      expect(sent.map((r) => r.path)).toEqual(Array(3).fill('/openai/deployments/tts/audio/speech'));
      expect(sent[0].body).toEqual({ voice: 'alloy', input: 'Hello there', response_format: 'wav' });
    });

    it('gives an OpenAI-compatible upstream its model name', async () => {
      const res = await openai.audio.speech.create({ model: 'tts-oa', voice: 'alloy', input: 'Hi', response_format: 'pcm' });
      expect(res.headers.get('content-type')).toBe('audio/pcm');
      expect(Buffer.from(await res.arrayBuffer())).toHaveLength(2400 * 2);
      const [sent] = await upstreamRequests(sim, '/v1/audio/speech');
      expect(sent.body).toEqual(expect.objectContaining({ model: 'tts-1', input: 'Hi' }));
    });

    it('keeps the OpenAI error shape when the upstream refuses', async () => {
      const res = await http.post('/v1/audio/speech', { model: 'tts', voice: 'alloy', input: 'x', response_format: 'midi' }, { headers: attendeeHeaders(key) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: expect.objectContaining({ param: 'response_format' }) });
    });
  });

  describe('refusals', () => {
    it('answers 400 when the upload has no file part, before calling the upstream', async () => {
      const error = expectOpenAiError(await upload('/v1/audio/transcriptions', multipart([['model', 'whisper']])), 400, 'validation_failed');
      expect(error).toEqual(expect.objectContaining({ param: 'file', message: "Missing required parameter: 'file'." }));
      expect(await upstreamRequests(sim, '/audio/')).toEqual([]);
    });

    it('answers 400 to a body that is not multipart, or is malformed', async () => {
      const json = await http.post(`/openai/deployments/whisper/audio/transcriptions?api-version=${API_VERSION}`, { file: 'x' }, { headers: attendeeHeaders(key, 'azure') });
      expect(expectOpenAiError(json, 400, 'validation_failed').param).toBe('file');
      const cut = multipart([['file', WAV, 'a.wav'], ['model', 'whisper']]).subarray(0, 2000);
      expectOpenAiError(await upload('/v1/audio/translations', cut), 400, 'validation_failed');
    });

    it('answers 413 to an upload over 25 MB streamed without a length, keeping nothing', async () => {
      const res = await undiciRequest(`${t.url}/v1/audio/transcriptions`, { method: 'POST', headers: multipartHeaders(), body: lazyUpload(26 * MB) });
      expect(res.statusCode).toBe(413);
      const body = (await res.body.json()) as { error: { code: string; message: string; param: string } };
      expect(body.error).toEqual(expect.objectContaining({ code: 'payload_too_large', param: 'file', type: 'invalid_request_error' }));
      expect(body.error.message).toMatch(/25 MB/);
      expect(await upstreamRequests(sim, '/audio/')).toEqual([]);
    });

    it('answers 413 at once to an upload whose declared length is over the limit', async () => {
      const size = 30 * MB;
      const body = lazyUpload(size);
      const res = await undiciRequest(`${t.url}/openai/deployments/whisper/audio/transcriptions?api-version=${API_VERSION}`, {
        method: 'POST',
        headers: { ...multipartHeaders(), 'content-length': String(size + 300) },
        body,
      });
      expect(res.statusCode).toBe(413);
      expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    });

    it('refuses a deployment named in the path before reading the upload', async () => {
      const res = await undiciRequest(`${t.url}/openai/deployments/chat/audio/transcriptions?api-version=${API_VERSION}`, {
        method: 'POST',
        headers: multipartHeaders(),
        body: lazyUpload(26 * MB),
      });
      expect(res.statusCode).toBe(400);
      expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe('deployment_class_mismatch');
    });

    it('refuses the wrong class, a missing model, an unknown deployment and a missing key', async () => {
      expectOpenAiError(await upload('/v1/audio/transcriptions', multipart([['file', WAV, 'a.wav'], ['model', 'chat']])), 400, 'deployment_class_mismatch');
      expectOpenAiError(await http.post('/v1/audio/speech', { model: 'whisper', voice: 'alloy', input: 'x' }, { headers: attendeeHeaders(key) }), 400, 'deployment_class_mismatch');
      expectOpenAiError(await upload('/openai/v1/audio/transcriptions', multipart([['file', WAV, 'a.wav']])), 400, 'model_required');
      expectOpenAiError(await upload('/v1/audio/transcriptions', multipart([['file', WAV, 'a.wav'], ['model', 'nope']])), 404, 'DeploymentNotFound');
      const noKey = await upload('/v1/audio/transcriptions', multipart([['file', WAV, 'a.wav'], ['model', 'whisper']]), {
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
      });
      expectOpenAiError(noKey, 401, 'invalid_api_key');
    });

    it('still refuses multipart on routes that take JSON', async () => {
      const res = await upload('/v1/chat/completions', multipart([['model', 'chat'], ['messages', '[]']]));
      expectOpenAiError(res, 415, 'unsupported_media_type');
    });
  });

  describe('failover and metering', () => {
    it('re-sends the spooled upload to the next backend when the first fails', async () => {
      const failing = await startSimulator({ apiKey: SIM_KEY, faults: { fail_next: [{ status: 500, count: 1 }] } });
      try {
        const { event: pooled } = await seedEvent(http, {}, [
          simulatedResource(failing, SIM_KEY, { deploymentName: 'stt', modelClass: 'openai-audio-transcription', priority: 0 }),
          simulatedResource(sim, SIM_KEY, { deploymentName: 'stt', modelClass: 'openai-audio-transcription', priority: 1 }),
        ]);
        const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: (await registerAttendee(http, pooled.id)).apiKey, maxRetries: 0 });
        const res = await client.audio.transcriptions.create({ model: 'stt', file: await file() });
        expect(res.text).toBe('simulated transcription of hello.wav');
        for (const backend of [failing, sim]) {
          const [sent] = await upstreamRequests(backend, '/audio/transcriptions');
          expect(sent.body).toEqual({ multipart: [expect.objectContaining({ name: 'file', bytes: WAV.length })] });
        }
        const [row] = await usageRecords(t, http, pooled.id, 1);
        expect(row).toEqual(expect.objectContaining({ status: 200, attempts: 2 }));
      } finally {
        await failing.close();
      }
    });

    it('records tokens the upstream reports, and zero (not estimated) when it reports none', async () => {
      const { event: own } = await seedEvent(http, {}, [
        simulatedResource(sim, SIM_KEY, { deploymentName: 'gpt-4o-transcribe', modelClass: 'openai-audio-transcription' }),
        simulatedResource(sim, SIM_KEY, { deploymentName: 'whisper', modelClass: 'openai-audio-transcription' }),
        simulatedResource(sim, SIM_KEY, { deploymentName: 'tts', modelClass: 'openai-audio-speech' }),
      ]);
      const client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: (await registerAttendee(http, own.id)).apiKey, maxRetries: 0 });
      const tokens = await client.audio.transcriptions.create({ model: 'gpt-4o-transcribe', file: await file() });
      // One second of audio at the simulator's 10 tokens a second, and the transcript at 4 characters a token.
      const output = Math.ceil(tokens.text.length / 4);
      expect(tokens.usage).toEqual(expect.objectContaining({ type: 'tokens', input_tokens: 10, output_tokens: output, total_tokens: 10 + output }));
      await client.audio.translations.create({ model: 'whisper', file: await file() });
      await (await client.audio.speech.create({ model: 'tts', voice: 'alloy', input: 'Hello' })).arrayBuffer();
      expect(await usageRecords(t, http, own.id, 3)).toEqual([
        expect.objectContaining({ deployment: 'gpt-4o-transcribe', route: 'openai:audio/transcriptions', status: 200, prompt_tokens: 10, completion_tokens: output, total_tokens: 10 + output, estimated: false }),
        expect.objectContaining({ deployment: 'whisper', route: 'openai:audio/translations', status: 200, total_tokens: 0, estimated: false }),
        expect.objectContaining({ deployment: 'tts', route: 'openai:audio/speech', status: 200, total_tokens: 0, estimated: false, streamed: false }),
      ]);
    });
  });
});
