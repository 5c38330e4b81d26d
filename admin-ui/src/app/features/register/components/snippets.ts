export interface SnippetInput {
  /** Origin of the proxy, e.g. https://aiproxy.example.com */
  baseUrl: string;
  deployment: string;
  /** Environment variable that holds the key in every snippet. */
  keyVar: string;
  apiVersion: string;
}

export interface Snippet {
  id: string;
  label: string;
  code: string;
}

/** Copy-paste examples for the common clients, pointed at this proxy. */
export function snippets({ baseUrl, deployment, keyVar, apiVersion }: SnippetInput): Snippet[] {
  const openAiBase = `${baseUrl}/v1`;
  return [
    {
      id: 'curl',
      label: 'curl',
      code: `curl ${openAiBase}/chat/completions \\
  -H "Authorization: Bearer $${keyVar}" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${deployment}", "messages": [{"role": "user", "content": "Hello!"}]}'`,
    },
    {
      id: 'python',
      label: 'OpenAI Python',
      code: `import os
from openai import OpenAI

client = OpenAI(base_url="${openAiBase}", api_key=os.environ["${keyVar}"])
reply = client.chat.completions.create(
    model="${deployment}",
    messages=[{"role": "user", "content": "Hello!"}],
)
print(reply.choices[0].message.content)`,
    },
    {
      id: 'js',
      label: 'OpenAI JavaScript',
      code: `import OpenAI from 'openai';

const client = new OpenAI({ baseURL: '${openAiBase}', apiKey: process.env.${keyVar} });
const reply = await client.chat.completions.create({
  model: '${deployment}',
  messages: [{ role: 'user', content: 'Hello!' }],
});
console.log(reply.choices[0].message.content);`,
    },
    {
      id: 'azure',
      label: 'AzureOpenAI',
      code: `import os
from openai import AzureOpenAI

client = AzureOpenAI(
    azure_endpoint="${baseUrl}",
    api_key=os.environ["${keyVar}"],
    api_version="${apiVersion}",
)
reply = client.chat.completions.create(
    model="${deployment}",  # the deployment name
    messages=[{"role": "user", "content": "Hello!"}],
)
print(reply.choices[0].message.content)`,
    },
    {
      id: 'langchain',
      label: 'LangChain',
      code: `import os
from langchain_openai import AzureChatOpenAI

llm = AzureChatOpenAI(
    azure_endpoint="${baseUrl}",
    api_key=os.environ["${keyVar}"],
    api_version="${apiVersion}",
    azure_deployment="${deployment}",
)
print(llm.invoke("Hello!").content)`,
    },
  ];
}
