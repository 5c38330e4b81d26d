import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startSimulator } from './simulator.app';
import type { SimulatorOptions } from './simulator.config';

/** Standalone entry point: `npm run simulator -- --port 9100 [--host H] [--config file.json] [--api-key K]`. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9100' },
      host: { type: 'string', default: '127.0.0.1' },
      config: { type: 'string' },
      'api-key': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);
  const fromFile = values.config === undefined ? {} : (JSON.parse(readFileSync(values.config, 'utf8')) as SimulatorOptions);
  const options: SimulatorOptions = { ...fromFile, ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }) };

  const simulator = await startSimulator({ ...options, port, host: values.host });
  // A CLI banner for the person who started it, like the proxy's own, on stdout rather than the logger.
  process.stdout.write(
    [
      `AI upstream simulator listening on ${simulator.url}`,
      `  Azure:  ${simulator.url}/openai/deployments/{deployment}/chat/completions?api-version=2024-10-21`,
      `  OpenAI: ${simulator.url}/v1/chat/completions`,
      `  Mock:   ${simulator.url}/__mock/config, /__mock/requests, /__mock/reset`,
    ].join('\n') + '\n',
  );

  const stop = (): void => {
    simulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
