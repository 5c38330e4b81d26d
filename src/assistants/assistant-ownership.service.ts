import { Injectable } from '@nestjs/common';
import { AssistantObjectsRepository } from './assistant-objects.repository';
import type { OwnedObject } from './assistant-object.types';

/** Owners are immutable, so a found owner stays cached; unknown ids are not (they may be created a moment later). */
const MAX_CACHED = 50_000;

/**
 * Ownership of Assistants objects: a write per create (off the chat hot path), and reads from an
 * in-memory cache in front of a primary-key lookup. A deletion seen by another replica leaves a stale
 * entry here, which is harmless: the upstream answers 404 for the deleted object anyway.
 */
@Injectable()
export class AssistantOwnershipService {
  private readonly cache = new Map<string, OwnedObject>();

  constructor(private readonly repository: AssistantObjectsRepository) {}

  async find(objectId: string): Promise<OwnedObject | undefined> {
    const cached = this.cache.get(objectId);
    if (cached) return cached;
    const found = await this.repository.find(objectId);
    if (found) this.remember(found);
    return found;
  }

  /** Owners of a list page's ids: cached ones from memory, the rest in one query. */
  async findMany(objectIds: string[]): Promise<Map<string, OwnedObject>> {
    const out = new Map<string, OwnedObject>();
    const missing: string[] = [];
    for (const id of objectIds) {
      const cached = this.cache.get(id);
      if (cached) out.set(id, cached);
      else missing.push(id);
    }
    for (const found of await this.repository.findMany(missing)) {
      this.remember(found);
      out.set(found.objectId, found);
    }
    return out;
  }

  /** Not cached here: if the id was already recorded (say, by the importer), the stored owner stands, and the first read loads it. */
  async record(object: OwnedObject): Promise<void> {
    await this.repository.insert(object);
    this.cache.delete(object.objectId);
  }

  async forget(objectId: string, eventId: string): Promise<void> {
    this.cache.delete(objectId);
    await this.repository.remove(objectId, eventId);
  }

  markMetered(runId: string, eventId: string): Promise<boolean> {
    return this.repository.markMetered(runId, eventId);
  }

  private remember(object: OwnedObject): void {
    // Oldest first out: a Map iterates in insertion order.
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(object.objectId, object);
  }
}
