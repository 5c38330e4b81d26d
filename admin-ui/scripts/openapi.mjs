// Snapshots the backend's OpenAPI document into admin-ui/openapi.json and generates the typed client's
// schema (src/app/core/api/schema.d.ts) with openapi-typescript. With --check, regenerates both in memory
// and fails when either differs from the committed files: the client and the server have drifted.
// Needs the backend built (`npm run build` at the root); the root scripts ui:openapi / ui:check-api do that.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { repoRoot, startBackend } from './start-backend.mjs';

const check = process.argv.includes('--check');
const uiRoot = join(repoRoot, 'admin-ui');
const docPath = join(uiRoot, 'openapi.json');
const typesPath = join(uiRoot, 'src', 'app', 'core', 'api', 'schema.d.ts');
const HEADER = '// Generated from admin-ui/openapi.json by admin-ui/scripts/openapi.mjs; do not edit. Run `npm run ui:openapi`.\n\n';

const backend = await startBackend();
let doc;
try {
  const res = await fetch(`${backend.url}/docs/json`);
  if (!res.ok) throw new Error(`GET /docs/json answered ${res.status}`);
  doc = await res.json();
} finally {
  await backend.stop();
}

const docText = `${JSON.stringify(doc, null, 2)}\n`;
const typesText = HEADER + astToString(await openapiTS(doc, { alphabetize: true }));

if (check) {
  const drift = [
    [docPath, docText],
    [typesPath, typesText],
  ].filter(([path, text]) => {
    try {
      return readFileSync(path, 'utf8') !== text;
    } catch {
      return true;
    }
  });
  if (drift.length) {
    process.stderr.write(
      `The portal's API client has drifted from the backend: ${drift.map(([p]) => p.slice(repoRoot.length + 1)).join(', ')} ` +
        'differ from what the backend serves now. Run `npm run ui:openapi` and commit the result.\n',
    );
    process.exit(1);
  }
  process.stdout.write('The portal\'s API client matches the backend\'s OpenAPI document.\n');
} else {
  writeFileSync(docPath, docText);
  writeFileSync(typesPath, typesText);
  process.stdout.write(`Wrote ${docPath.slice(repoRoot.length + 1)} and ${typesPath.slice(repoRoot.length + 1)}\n`);
}
