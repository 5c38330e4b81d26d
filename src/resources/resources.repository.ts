import { Injectable } from '@nestjs/common';
import { DataSource, In, Repository } from 'typeorm';
import { type AccessScope, resourceVisibleSql } from '../auth/organiser/access-scope';
import { ResourceEntity } from './resource.entity';

@Injectable()
export class ResourcesRepository {
  private readonly repo: Repository<ResourceEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(ResourceEntity);
  }

  /** Resources visible in `scope`: all for administrators, an organiser's own otherwise. */
  findAll(scope: AccessScope): Promise<ResourceEntity[]> {
    const visible = resourceVisibleSql('r', scope);
    return this.repo
      .createQueryBuilder('r')
      .where(visible.sql, visible.params)
      .orderBy('r.deployment_name', 'ASC')
      .addOrderBy('r.priority', 'ASC')
      .addOrderBy('r.created_at', 'ASC')
      .getMany();
  }

  findVisible(id: string, scope: AccessScope): Promise<ResourceEntity | null> {
    return scope.kind === 'everything' ? this.findById(id) : this.repo.findOneBy({ id, ownerId: scope.organiserId });
  }

  findById(id: string): Promise<ResourceEntity | null> {
    return this.repo.findOneBy({ id });
  }

  findByIds(ids: string[]): Promise<ResourceEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.repo.find({ where: { id: In(ids) }, order: { deploymentName: 'ASC', priority: 'ASC', createdAt: 'ASC' } });
  }

  async insert(resource: Partial<ResourceEntity>): Promise<ResourceEntity> {
    const result = await this.repo.insert(resource);
    return (await this.findById(result.identifiers[0].id as string))!;
  }

  async update(id: string, changes: Partial<ResourceEntity>): Promise<ResourceEntity | null> {
    if (Object.keys(changes).length > 0) await this.repo.update({ id }, { ...changes, updatedAt: new Date() });
    return this.findById(id);
  }

  /** Every stored upstream key, for re-encryption under a new ENCRYPTION_KEY. */
  async encryptedKeys(): Promise<{ id: string; apiKeyEncrypted: string }[]> {
    const rows = await this.repo.find({ select: { id: true, apiKeyEncrypted: true } });
    return rows.filter((r): r is ResourceEntity & { apiKeyEncrypted: string } => r.apiKeyEncrypted !== null);
  }

  /** Replaces a sealed key only if it is still the one read, so a concurrent edit is never overwritten. */
  async replaceEncryptedKey(id: string, from: string, to: string): Promise<boolean> {
    const result = await this.repo.update({ id, apiKeyEncrypted: from }, { apiKeyEncrypted: to });
    return (result.affected ?? 0) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.repo.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
