import type { AIMessageChunk } from '@langchain/core/messages';
import { AzureChatOpenAI, ChatOpenAI } from '@langchain/openai';
import { registerAttendee, seedEvent } from './support/factories';
import { httpClient } from './support/http';
import { builtinResource } from './support/proxy';
import { startTestApp, TestApp } from './support/test-app';

const PROMPT = 'hello from langchain';

async function streamAll(stream: AsyncIterable<AIMessageChunk>): Promise<{ text: string; chunks: AIMessageChunk[]; merged: AIMessageChunk }> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const merged = chunks.slice(1).reduce((acc, c) => acc.concat(c), chunks[0]);
  return { text: chunks.map((c) => (typeof c.content === 'string' ? c.content : '')).join(''), chunks, merged };
}

describe('proxy with @langchain/openai', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    const http = httpClient(t.url);
    const { event } = await seedEvent(http, {}, [builtinResource({ deploymentName: 'chat' })]);
    key = (await registerAttendee(http, event.id)).apiKey;
  });
  afterAll(() => t.close());

  it('ChatOpenAI invokes and streams through /v1 with exact usage', async () => {
    const sut = new ChatOpenAI({ model: 'chat', apiKey: key, configuration: { baseURL: `${t.url}/v1` }, maxRetries: 0 });
    const answer = await sut.invoke(PROMPT);
    expect(answer.content).toBe(`echo: ${PROMPT}`);
    expect(answer.usage_metadata).toEqual(expect.objectContaining({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) }));
    expect(answer.usage_metadata!.input_tokens).toBeGreaterThan(0);

    const streamed = await streamAll(await sut.stream(PROMPT));
    expect(streamed.chunks.length).toBeGreaterThan(2);
    expect(streamed.text).toBe(answer.content);
    // LangChain asks for stream usage by default; the proxy passes the usage chunk on.
    expect(streamed.merged.usage_metadata).toEqual(expect.objectContaining({
      input_tokens: answer.usage_metadata!.input_tokens,
      output_tokens: answer.usage_metadata!.output_tokens,
      total_tokens: answer.usage_metadata!.total_tokens,
    }));
  });

  it('AzureChatOpenAI invokes and streams through the Azure dated route', async () => {
    const sut = new AzureChatOpenAI({
      azureOpenAIEndpoint: t.url,
      azureOpenAIApiDeploymentName: 'chat',
      azureOpenAIApiVersion: '2024-10-21',
      azureOpenAIApiKey: key,
      maxRetries: 0,
    });
    const answer = await sut.invoke(PROMPT);
    expect(answer.content).toBe(`echo: ${PROMPT}`);
    expect(answer.usage_metadata?.total_tokens).toBeGreaterThan(0);
    const streamed = await streamAll(await sut.stream(PROMPT));
    expect(streamed.text).toBe(answer.content);
    expect(streamed.merged.usage_metadata?.total_tokens).toBe(answer.usage_metadata!.total_tokens);
  });

  it('surfaces a proxy refusal as an error naming the deployment', async () => {
    const sut = new ChatOpenAI({ model: 'missing', apiKey: key, configuration: { baseURL: `${t.url}/v1` }, maxRetries: 0 });
    await expect(sut.invoke(PROMPT)).rejects.toThrow(/Deployment 'missing' not found for this event/);
  });
});
