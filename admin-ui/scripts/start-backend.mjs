// Starts the real, built AI Proxy backend (dist/src/main.js) on a free port with a fresh temp DATA_DIR
// (embedded PGlite and the built-in simulator). Used by the OpenAPI snapshot and the end-to-end tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef';

/** @returns {Promise<{ url: string, adminToken: string, dataDir: string, logs: () => string, stop: () => Promise<void> }>} */
export async function startBackend({ env = {}, timeoutMs = 60_000 } = {}) {
  const main = join(repoRoot, 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run "npm run build" at the repository root first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-proxy-ui-'));
  let output = '';
  const child = spawn(process.execPath, [main], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`backend did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = () => {
      const m = /running at (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`backend exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    adminToken: ADMIN_TOKEN,
    dataDir,
    logs: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
