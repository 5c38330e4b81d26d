import { snippets } from './snippets';

describe('snippets', () => {
  it('points every client at the proxy with the deployment and the key variable', () => {
    const all = snippets({ baseUrl: 'https://proxy.example', deployment: 'gpt-4o-mini', keyVar: 'AI_PROXY_KEY', apiVersion: '2024-10-21' });
    expect(all.map((s) => s.label)).toEqual(['curl', 'OpenAI Python', 'OpenAI JavaScript', 'AzureOpenAI', 'LangChain']);
    for (const s of all) {
      expect(s.code).toContain('proxy.example');
      expect(s.code).toContain('gpt-4o-mini');
      expect(s.code).toContain('AI_PROXY_KEY');
    }
    expect(all.find((s) => s.id === 'python')?.code).toContain('base_url="https://proxy.example/v1"');
    expect(all.find((s) => s.id === 'azure')?.code).toContain('api_version="2024-10-21"');
  });
});
