// Builds the portal for the backend to serve (admin-ui/dist/admin-ui/browser), installing its locked
// dependencies first when admin-ui/node_modules is missing or older than package-lock.json.
// `--deps-only` just installs. Plain Node: it must run before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: ui, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const marker = join(ui, 'node_modules', '.package-lock.json');
const lock = join(ui, 'package-lock.json');
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  process.stdout.write('Installing the portal\'s dependencies (first run)…\n');
  run(npm, ['install', '--no-audit', '--no-fund', '--loglevel=error']);
}
if (!process.argv.includes('--deps-only')) {
  run(process.execPath, [join(ui, 'node_modules', '@angular', 'cli', 'bin', 'ng.js'), 'build', '--progress=false']);
}
