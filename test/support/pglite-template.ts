import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/database/data-source.factory';

/** The template is keyed by the migrations' content, so a changed migration builds a new one. */
export function templateDir(): string {
  const dir = join(__dirname, '../../migrations');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return join(tmpdir(), `ai-proxy-pglite-template-${hash.digest('hex').slice(0, 16)}`);
}

export async function prepareTemplate(dir: string): Promise<void> {
  if (existsSync(join(dir, 'READY'))) return;
  const staging = mkdtempSync(join(tmpdir(), 'ai-proxy-template-staging-'));
  const db = await openDatabase({ kind: 'pglite', dataDir: join(staging, 'pglite') });
  await db.close();
  writeFileSync(join(staging, 'READY'), '');
  rmSync(dir, { recursive: true, force: true });
  // Atomic publish: a concurrent run sees either no template or a complete one.
  renameSync(staging, dir);
}

/** A fresh DATA_DIR holding a migrated PGlite database. */
export function freshDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'ai-proxy-test-'));
  cpSync(join(templateDir(), 'pglite'), join(dataDir, 'pglite'), { recursive: true });
  return dataDir;
}
