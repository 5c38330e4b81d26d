import OpenAI, { AzureOpenAI, toFile } from 'openai';
import { embeddingVector, wavBytes } from '../src/simulator/content';
import { type RunningSimulator, startSimulator } from '../src/simulator/simulator.app';

/** The real openai SDK, pointed straight at the simulator, must see a faithful OpenAI / Azure OpenAI. */
describe('Simulator with the openai SDK', () => {
  const apiKey = 'sim-test-key';
  let sim: RunningSimulator;
  let openai: OpenAI;
  let azure: AzureOpenAI;

  beforeAll(async () => {
    sim = await startSimulator({ apiKey, port: 0 });
    openai = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey, maxRetries: 0 });
    azure = new AzureOpenAI({ endpoint: sim.url, apiKey, apiVersion: '2024-10-21', deployment: 'gpt-4o', maxRetries: 0 });
  });
  afterAll(() => sim.close());
  beforeEach(async () => {
    await fetch(`${sim.url}/__mock/reset`, { method: 'POST' });
  });

  const messages = [{ role: 'user' as const, content: 'Hello simulated world, how are you?' }];

  describe('OpenAI /v1', () => {
    it('answers a chat completion with the echo reply, the model name and usage', async () => {
      const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages });

      expect(completion.choices[0]?.message.content).toBe('echo: Hello simulated world, how are you?');
      expect(completion.choices[0]?.finish_reason).toBe('stop');
      expect(completion.model).toBe('gpt-4o-2024-08-06');
      expect(completion.created).toBe(1700000000);
      expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]{29}$/);
      expect(completion.usage).toEqual(expect.objectContaining({ prompt_tokens: 9, completion_tokens: 11, total_tokens: 20 }));
      expect(completion).not.toHaveProperty('prompt_filter_results');
    });

    it('streams the same text as the non-stream reply, with usage only when asked', async () => {
      const whole = await openai.chat.completions.create({ model: 'gpt-4o', messages });

      const plain = await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
      let plainText = '';
      const plainUsage: unknown[] = [];
      for await (const chunk of plain) {
        plainText += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) plainUsage.push(chunk.usage);
      }

      const withUsage = await openai.chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
      const chunks = [];
      for await (const chunk of withUsage) chunks.push(chunk);

      expect(plainText).toBe(whole.choices[0]?.message.content);
      expect(plainUsage).toEqual([]);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: whole.usage });
      expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
      expect(chunks.at(-2)?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(plainText);
    });

    it('returns n choices and cuts at max_tokens with finish_reason length', async () => {
      const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages, n: 2, max_tokens: 3 });

      expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
        [0, 'echo: Hello ', 'length'],
        [1, 'echo: Hello ', 'length'],
      ]);
    });

    it('calls a tool when asked about the weather', async () => {
      const tools = [
        {
          type: 'function' as const,
          function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        },
      ];

      const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather in Paris?' }], tools });

      const call = completion.choices[0]?.message.tool_calls?.[0];
      expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' ? [call.function.name, JSON.parse(call.function.arguments)] : undefined).toEqual(['get_weather', { city: 'Paris' }]);
    });

    it('accumulates a streamed tool call with the SDK stream helper', async () => {
      const tools = [{ type: 'function' as const, function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

      const stream = openai.chat.completions.stream({ model: 'gpt-4o', messages: [{ role: 'user', content: 'weather?' }], tools });
      const final = await stream.finalChatCompletion();

      expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    });

    it('returns embeddings as floats and as base64', async () => {
      const floats = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'float' });
      // Without encoding_format the SDK asks for base64 and decodes it itself.
      const decoded = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha' });
      const raw = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'base64' });

      expect(floats.data.map((d) => d.embedding)).toEqual([embeddingVector('alpha', 8), embeddingVector('beta', 8)]);
      expect(floats.usage).toEqual({ prompt_tokens: 2 + 1, total_tokens: 3 });
      decoded.data[0]?.embedding.forEach((value, i) => expect(value).toBeCloseTo(embeddingVector('alpha', 8)[i] ?? NaN, 5));
      expect(typeof raw.data[0]?.embedding).toBe('string');
    });

    it('honours the dimensions parameter', async () => {
      const result = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', dimensions: 3, encoding_format: 'float' });

      expect(result.data[0]?.embedding).toHaveLength(3);
    });

    it('generates images as URLs and as a base64 PNG', async () => {
      const urls = await openai.images.generate({ model: 'dall-e-3', prompt: 'a red fox', n: 2 });
      const b64 = await openai.images.generate({ model: 'dall-e-3', prompt: 'a red fox', response_format: 'b64_json' });

      expect(urls.created).toBe(1700000000);
      expect(urls.data?.map((d) => d.url)).toEqual([expect.stringMatching(/^https:\/\/mock\.blob\/img\/[0-9a-f]{40}\.png$/), expect.any(String)]);
      expect(urls.data?.[0]?.revised_prompt).toBe('a red fox');
      expect(Buffer.from(b64.data?.[0]?.b64_json ?? '', 'base64').subarray(1, 4).toString('ascii')).toBe('PNG');
    });

    it('answers legacy completions', async () => {
      const completion = await openai.completions.create({ model: 'gpt-4o', prompt: 'Say hi' });

      expect(completion.object).toBe('text_completion');
      expect(completion.choices[0]?.text).toBe('echo: Say hi');
    });

    it('streams legacy completions', async () => {
      const stream = await openai.completions.create({ model: 'gpt-4o', prompt: 'Say hi', stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';

      expect(text).toBe('echo: Say hi');
    });

    it('answers the Responses API', async () => {
      const response = await openai.responses.create({ model: 'gpt-4o', input: 'Hello responses', instructions: 'be brief' });

      expect(response.object).toBe('response');
      expect(response.status).toBe('completed');
      expect(response.output_text).toBe('echo: Hello responses');
      expect(response.usage).toMatchObject({ input_tokens: 2 + 4, output_tokens: 6, total_tokens: 12 });
    });

    it('streams the Responses API as named events ending in response.completed', async () => {
      const stream = await openai.responses.create({ model: 'gpt-4o', input: 'Hello responses', stream: true });
      const types: string[] = [];
      let text = '';
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') text += event.delta;
      }

      expect(text).toBe('echo: Hello responses');
      expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
      expect(types.at(-1)).toBe('response.completed');
    });

    it('synthesises speech as WAV bytes', async () => {
      const response = await openai.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello', response_format: 'wav' });
      const bytes = Buffer.from(await response.arrayBuffer());

      expect(response.headers.get('content-type')).toBe('audio/wav');
      expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
      expect(bytes).toHaveLength(44 + 2400 * 2);
    });

    it('transcribes an uploaded file in json, text and verbose_json', async () => {
      const file = async (): Promise<File> => toFile(wavBytes(24000), 'hello.wav', { type: 'audio/wav' });

      const json = await openai.audio.transcriptions.create({ model: 'whisper', file: await file() });
      const text = await openai.audio.transcriptions.create({ model: 'whisper', file: await file(), response_format: 'text' });
      const verbose = await openai.audio.transcriptions.create({ model: 'whisper', file: await file(), response_format: 'verbose_json' });
      const translated = await openai.audio.translations.create({ model: 'whisper', file: await file(), prompt: 'bonjour' });

      expect(json.text).toBe('simulated transcription of hello.wav');
      expect(text).toBe('simulated transcription of hello.wav\n');
      expect(verbose).toMatchObject({ duration: 1, language: 'english', segments: [{ end: 1 }] });
      expect(translated.text).toBe('echo: bonjour');
    });

    it('lists the deployments as models', async () => {
      const models = [];
      for await (const model of openai.models.list()) models.push(model.id);

      expect(models).toEqual(expect.arrayContaining(['gpt-4o', 'text-embedding-3-small']));
    });
  });

  describe('Azure OpenAI (dated api-version)', () => {
    it('answers a chat completion with Azure annotations', async () => {
      const completion = await azure.chat.completions.create({ model: '', messages });

      expect(completion.choices[0]?.message.content).toBe('echo: Hello simulated world, how are you?');
      expect(completion).toMatchObject({
        prompt_filter_results: [{ prompt_index: 0, content_filter_results: { jailbreak: { filtered: false, detected: false } } }],
        choices: [{ content_filter_results: { protected_material_text: { filtered: false, detected: false } } }],
      });
    });

    it('streams through the leading annotation chunk that has no choices', async () => {
      const stream = await azure.chat.completions.create({ model: '', messages, stream: true });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);

      expect(chunks[0]).toMatchObject({ id: '', choices: [], prompt_filter_results: expect.any(Array) });
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('echo: Hello simulated world, how are you?');
      expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    });

    it('lets the SDK stream helper assemble the final message', async () => {
      const final = await azure.chat.completions.stream({ model: '', messages }).finalChatCompletion();

      expect(final.choices[0]?.message.content).toBe('echo: Hello simulated world, how are you?');
    });

    it('sends the Azure headers on success', async () => {
      const { response } = await azure.chat.completions.create({ model: '', messages }).withResponse();

      expect(response.headers.get('apim-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get('x-ms-region')).toBe('simulated');
      expect(response.headers.get('x-ratelimit-remaining-requests')).not.toBeNull();
      expect(response.headers.get('x-ratelimit-remaining-tokens')).not.toBeNull();
    });

    it('routes embeddings to the deployment in the body', async () => {
      const client = new AzureOpenAI({ endpoint: sim.url, apiKey, apiVersion: '2024-10-21' });

      const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha', encoding_format: 'float' });

      expect(result.data[0]?.embedding).toEqual(embeddingVector('alpha', 8));
      expect(result.model).toBe('text-embedding-3-small');
    });
  });

  describe('Azure OpenAI v1', () => {
    it('serves the plain OpenAI client with the key as bearer and model = deployment', async () => {
      const client = new OpenAI({ baseURL: `${sim.url}/openai/v1`, apiKey, maxRetries: 0 });

      const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'hi' });

      expect(completion.model).toBe('gpt-4o-mini-2024-07-18');
      expect(completion).toHaveProperty('prompt_filter_results');
      expect(response.output_text).toBe('echo: hi');
    });
  });

  describe('retries', () => {
    it('retries 429s after retry-after-ms, then succeeds', async () => {
      const client = new OpenAI({
        baseURL: `${sim.url}/v1`,
        apiKey,
        maxRetries: 2,
        defaultHeaders: { 'x-mock-fail-next': '[{"status":429,"count":2,"retry_after_ms":50}]' },
      });
      const started = Date.now();

      const completion = await client.chat.completions.create({ model: 'gpt-4o', messages });

      expect(completion.choices[0]?.message.content).toContain('echo:');
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
      const log = (await (await fetch(`${sim.url}/__mock/requests`)).json()) as { headers: Record<string, string> }[];
      expect(log.map((entry) => entry.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
    });

    it('gives up when the upstream says x-should-retry: false', async () => {
      const client = new OpenAI({
        baseURL: `${sim.url}/v1`,
        apiKey,
        maxRetries: 2,
        defaultHeaders: { 'x-mock-fail-next': '500x3', 'x-mock-x-should-retry': 'false' },
      });

      await expect(client.chat.completions.create({ model: 'gpt-4o', messages })).rejects.toMatchObject({ status: 500 });
      const log = (await (await fetch(`${sim.url}/__mock/requests`)).json()) as unknown[];
      expect(log).toHaveLength(1);
    });
  });

  describe('stream faults seen by the SDK', () => {
    it('throws APIError on a mid-stream error line', async () => {
      const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey, maxRetries: 0, defaultHeaders: { 'x-mock-stream-error-after': '2' } });
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
      const texts: string[] = [];

      const consume = async (): Promise<void> => {
        for await (const chunk of stream) texts.push(chunk.choices[0]?.delta.content ?? '');
      };

      await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
      expect(texts.join('')).toBe('echo: Hello ');
    });

    it('ends a filtered stream with finish_reason content_filter', async () => {
      const client = new AzureOpenAI({
        endpoint: sim.url,
        apiKey,
        apiVersion: '2024-10-21',
        deployment: 'gpt-4o',
        defaultHeaders: { 'x-mock-filter-stream-after': '3' },
      });
      const stream = await client.chat.completions.create({ model: '', messages, stream: true });
      const chunks = [];
      for await (const chunk of stream) chunks.push(chunk);

      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('echo: Hello simulated ');
      expect(chunks.at(-1)?.choices[0]).toMatchObject({
        finish_reason: 'content_filter',
        content_filter_results: { protected_material_text: { filtered: true, detected: true } },
      });
    });
  });
});
