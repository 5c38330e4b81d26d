import OpenAI, { AzureOpenAI } from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { EventResponse } from './support/api';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient, HttpClient } from './support/http';
import { attendeeHeaders, builtinResource } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const MESSAGES = [{ role: 'user' as const, content: 'hello there, proxy' }];
const API_VERSION = '2024-10-21';

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<{ text: string; chunks: ChatCompletionChunk[] }> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { text: chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), chunks };
}

describe('proxy with the openai SDK', () => {
  let t: TestApp;
  let http: HttpClient;
  let event: EventResponse;
  let key: string;
  let openai: OpenAI;
  let azure: AzureOpenAI;

  beforeAll(async () => {
    t = await startTestApp();
    http = httpClient(t.url);
    ({ event } = await seedEvent(http, {}, [
      builtinResource({ deploymentName: 'chat' }),
      builtinResource({ deploymentName: 'instruct', modelClass: 'openai-completions' }),
      builtinResource({ deploymentName: 'embed', modelClass: 'openai-embeddings' }),
      builtinResource({ deploymentName: 'dalle', modelClass: 'openai-dall-e-3' }),
    ]));
    key = (await registerAttendee(http, event.id)).apiKey;
    openai = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key, maxRetries: 0 });
    azure = new AzureOpenAI({ endpoint: t.url, apiKey: key, apiVersion: API_VERSION, maxRetries: 0 });
  });
  afterAll(() => t.close());

  describe('OpenAI client on /v1', () => {
    it('streams the same chat text it answers without streaming, and no usage chunk unless asked', async () => {
      const plain = await openai.chat.completions.create({ model: 'chat', messages: MESSAGES });
      expect(plain.choices[0].message.content).toBe('echo: hello there, proxy');
      expect(plain.usage).toEqual(expect.objectContaining({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) }));
      expect(plain.usage!.total_tokens).toBe(plain.usage!.prompt_tokens + plain.usage!.completion_tokens);

      const streamed = await collect(await openai.chat.completions.create({ model: 'chat', messages: MESSAGES, stream: true }));
      expect(streamed.text).toBe(plain.choices[0].message.content);
      expect(streamed.chunks.length).toBeGreaterThan(2);
      // The proxy asks the upstream for usage to meter the stream, but the client did not ask for it.
      expect(streamed.chunks.filter((c) => c.usage)).toEqual([]);
      expect(streamed.chunks.at(-1)!.choices[0]?.finish_reason).toBe('stop');
    });

    it('delivers the usage chunk when stream_options.include_usage is set, equal to the non-streamed usage', async () => {
      const plain = await openai.chat.completions.create({ model: 'chat', messages: MESSAGES });
      const streamed = await collect(
        await openai.chat.completions.create({ model: 'chat', messages: MESSAGES, stream: true, stream_options: { include_usage: true } }),
      );
      const withUsage = streamed.chunks.filter((c) => c.usage);
      expect(withUsage).toHaveLength(1);
      expect(withUsage[0]).toBe(streamed.chunks.at(-1));
      expect(withUsage[0].choices).toEqual([]);
      expect(withUsage[0].usage).toEqual(plain.usage);
      expect(streamed.text).toBe(plain.choices[0].message.content);
    });

    it('serves completions with and without streaming', async () => {
      const plain = await openai.completions.create({ model: 'instruct', prompt: 'Say this is a test' });
      expect(plain.object).toBe('text_completion');
      expect(plain.choices[0].text.length).toBeGreaterThan(0);
      expect(plain.usage?.total_tokens).toBeGreaterThan(0);
      const stream = await openai.completions.create({ model: 'instruct', prompt: 'Say this is a test', stream: true });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
      expect(text).toBe(plain.choices[0].text);
    });

    it('serves embeddings as floats and as base64 with the same vector', async () => {
      const floats = await openai.embeddings.create({ model: 'embed', input: ['alpha', 'beta'], encoding_format: 'float' });
      expect(floats.data).toHaveLength(2);
      expect(floats.data[0].embedding).toHaveLength(8);
      expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
      // Without encoding_format the SDK asks for base64 and decodes it to floats itself.
      const decoded = await openai.embeddings.create({ model: 'embed', input: ['alpha', 'beta'] });
      const raw = await openai.embeddings.create({ model: 'embed', input: 'alpha', encoding_format: 'base64' });
      expect(typeof raw.data[0].embedding).toBe('string');
      for (const [i, item] of decoded.data.entries()) {
        item.embedding.forEach((v, j) => expect(v).toBeCloseTo(floats.data[i].embedding[j], 5));
      }
    });

    it('generates images', async () => {
      const res = await openai.images.generate({ model: 'dalle', prompt: 'a lighthouse at dusk' });
      expect(res.data?.[0]?.url).toMatch(/^https:\/\//);
      const b64 = await openai.images.generate({ model: 'dalle', prompt: 'a lighthouse at dusk', response_format: 'b64_json' });
      expect(Buffer.from(b64.data![0].b64_json!, 'base64').subarray(1, 4).toString()).toBe('PNG');
    });

    it('lists the event deployments as models and retrieves one', async () => {
      const models = [];
      for await (const m of openai.models.list()) models.push(m);
      expect(models.map((m) => m.id)).toEqual(['chat', 'dalle', 'embed', 'instruct']);
      expect(models.find((m) => m.id === 'embed')).toEqual(expect.objectContaining({ object: 'model', capabilities: { model_class: 'openai-embeddings' } }));
      await expect(openai.models.retrieve('chat')).resolves.toEqual(expect.objectContaining({ id: 'chat', object: 'model' }));
      await expect(openai.models.retrieve('nope')).rejects.toMatchObject({ status: 404, code: 'DeploymentNotFound' });
      const azureV1 = await http.get<{ data: { id: string }[] }>('/openai/v1/models', { headers: attendeeHeaders(key, 'azure') });
      expect(azureV1.status).toBe(200);
      expect(azureV1.body.data.map((m) => m.id)).toEqual(['chat', 'dalle', 'embed', 'instruct']);
    });
  });

  describe('AzureOpenAI client on the dated surface', () => {
    it('chats with and without streaming, the deployment in the path', async () => {
      const plain = await azure.chat.completions.create({ model: 'chat', messages: MESSAGES });
      expect(plain.choices[0].message.content).toBe('echo: hello there, proxy');
      const streamed = await collect(await azure.chat.completions.create({ model: 'chat', messages: MESSAGES, stream: true, stream_options: { include_usage: true } }));
      expect(streamed.text).toBe(plain.choices[0].message.content);
      expect(streamed.chunks.at(-1)!.usage).toEqual(plain.usage);
      const noUsage = await collect(await azure.chat.completions.create({ model: 'chat', messages: MESSAGES, stream: true }));
      expect(noUsage.chunks.filter((c) => c.usage)).toEqual([]);
    });

    it('uses a client-level deployment', async () => {
      const client = new AzureOpenAI({ endpoint: t.url, apiKey: key, apiVersion: API_VERSION, deployment: 'chat', maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'ignored-by-azure', messages: MESSAGES });
      expect(res.choices[0].message.content).toBe('echo: hello there, proxy');
    });

    it('serves completions, embeddings and images', async () => {
      const completion = await azure.completions.create({ model: 'instruct', prompt: 'Say this is a test' });
      expect(completion.choices[0].text.length).toBeGreaterThan(0);
      const embeddings = await azure.embeddings.create({ model: 'embed', input: 'alpha' });
      expect(embeddings.data[0].embedding).toHaveLength(8);
      const image = await azure.images.generate({ model: 'dalle', prompt: 'a lighthouse at dusk' });
      expect(image.data?.[0]?.url).toMatch(/^https:\/\//);
    });

    it('works on the /api/v1 alternative base', async () => {
      // The SDK builds {endpoint}/openai/deployments/{d}/chat/completions?api-version=…
      const client = new AzureOpenAI({ endpoint: `${t.url}/api/v1`, apiKey: key, apiVersion: API_VERSION, maxRetries: 0 });
      const res = await client.chat.completions.create({ model: 'chat', messages: MESSAGES });
      expect(res.choices[0].message.content).toBe('echo: hello there, proxy');
      const embeddings = await client.embeddings.create({ model: 'embed', input: 'alpha', encoding_format: 'float' });
      expect(embeddings.data[0].embedding).toHaveLength(8);
    });
  });

  describe('OpenAI client on the Azure v1 surface', () => {
    it('chats, streams and embeds with model = deployment', async () => {
      const v1 = new OpenAI({ baseURL: `${t.url}/openai/v1`, apiKey: key, maxRetries: 0 });
      const plain = await v1.chat.completions.create({ model: 'chat', messages: MESSAGES });
      expect(plain.choices[0].message.content).toBe('echo: hello there, proxy');
      const streamed = await collect(await v1.chat.completions.create({ model: 'chat', messages: MESSAGES, stream: true }));
      expect(streamed.text).toBe(plain.choices[0].message.content);
      const embeddings = await v1.embeddings.create({ model: 'embed', input: 'alpha' });
      expect(embeddings.data[0].embedding).toHaveLength(8);
      const models = await v1.models.list();
      expect(models.data.map((m) => m.id)).toContain('chat');
    });
  });

  describe('model aliases', () => {
    it('serves and lists an alias set on the event', async () => {
      const patched = await http.patch<EventResponse>(`/api/v1/admin/events/${event.id}`, { modelAliases: { 'gpt-4o': 'chat' } });
      expect(patched.status).toBe(200);
      const res = await openai.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES });
      expect(res.choices[0].message.content).toBe('echo: hello there, proxy');
      const viaAzure = await azure.chat.completions.create({ model: 'gpt-4o', messages: MESSAGES });
      expect(viaAzure.choices[0].message.content).toBe('echo: hello there, proxy');
      const models = await openai.models.list();
      expect(models.data.map((m) => m.id)).toEqual(['chat', 'dalle', 'embed', 'instruct', 'gpt-4o']);
      await expect(openai.models.retrieve('gpt-4o')).resolves.toEqual(expect.objectContaining({ id: 'gpt-4o', capabilities: { model_class: 'openai-chat' } }));
    });
  });
});
