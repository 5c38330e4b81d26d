import { loadConfig } from '../config/app-config';
import { rotateResourceKeys } from '../resources/key-rotation';
import { ResourcesRepository } from '../resources/resources.repository';
import { SecretBox } from '../resources/secret-box';
import { openDatabase } from './data-source.factory';

/**
 * `npm run secrets:rotate`: with ENCRYPTION_KEY set to the new key and ENCRYPTION_KEY_PREVIOUS to the old
 * one(s), re-encrypts every stored upstream key. Exits non-zero if any key could not be decrypted.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.secrets.previousEncryptionKeys.length === 0) {
    throw new Error('Set ENCRYPTION_KEY_PREVIOUS to the old key (and ENCRYPTION_KEY to the new one) first.');
  }
  const db = await openDatabase(config.database);
  try {
    const box = new SecretBox(config.secrets.encryptionKey, config.secrets.previousEncryptionKeys);
    const result = await rotateResourceKeys(new ResourcesRepository(db.dataSource), box);
    process.stdout.write(
      `Re-encrypted ${result.reEncrypted} upstream key(s); ${result.alreadyCurrent} already current; ${result.failed.length} undecryptable.\n`,
    );
    if (result.failed.length) {
      process.stderr.write(`Resources whose key no configured key decrypts (set their apiKey again): ${result.failed.join(', ')}\n`);
      process.exitCode = 2;
    }
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Key rotation failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
