import type { ResourcesRepository } from './resources.repository';
import type { SecretBox } from './secret-box';

export interface RotationResult {
  reEncrypted: number;
  alreadyCurrent: number;
  failed: string[];
}

/**
 * Re-seals every upstream key under the current ENCRYPTION_KEY. Run while the app is serving with
 * ENCRYPTION_KEY=new and ENCRYPTION_KEY_PREVIOUS=old: both decrypt meanwhile, so nothing goes down.
 */
export async function rotateResourceKeys(repo: ResourcesRepository, box: SecretBox): Promise<RotationResult> {
  const result: RotationResult = { reEncrypted: 0, alreadyCurrent: 0, failed: [] };
  for (const { id, apiKeyEncrypted } of await repo.encryptedKeys()) {
    if (box.isCurrent(apiKeyEncrypted)) {
      result.alreadyCurrent++;
      continue;
    }
    let plain: string;
    try {
      plain = box.open(apiKeyEncrypted);
    } catch {
      result.failed.push(id);
      continue;
    }
    if (await repo.replaceEncryptedKey(id, apiKeyEncrypted, box.seal(plain))) result.reEncrypted++;
    else result.alreadyCurrent++; // edited meanwhile, so already sealed with the current key
  }
  return result;
}
