import { Injectable } from '@nestjs/common';
import { type AccessScope, ownerFor } from '../auth/organiser/access-scope';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';
import { isUuid } from '../common/validation/ids';
import type { CreateResourceInput, ResourceResponse, UpdateResourceInput } from './dto/resource.schemas';
import type { ResourceEntity } from './resource.entity';
import { ResourcesRepository } from './resources.repository';
import { SecretBox } from './secret-box';

export function toResourceResponse(r: ResourceEntity): ResourceResponse {
  return {
    id: r.id,
    name: r.name,
    deploymentName: r.deploymentName,
    modelClass: r.modelClass,
    upstream: r.upstream,
    endpointUrl: r.endpointUrl,
    hasApiKey: r.apiKeyEncrypted !== null,
    apiKeyHint: r.apiKeyLast4 ? `…${r.apiKeyLast4}` : null,
    apiVersion: r.apiVersion,
    modelName: r.modelName,
    priority: r.priority,
    weight: r.weight,
    tokensPerMinute: r.tokensPerMinute,
    requestsPerMinute: r.requestsPerMinute,
    active: r.active,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function last4(key: string): string {
  return key.length <= 4 ? '' : key.slice(-4);
}

@Injectable()
export class ResourcesService {
  constructor(
    private readonly resources: ResourcesRepository,
    private readonly box: SecretBox,
    private readonly catalog: CatalogService,
  ) {}

  async list(scope: AccessScope): Promise<{ items: ResourceResponse[]; total: number }> {
    const items = (await this.resources.findAll(scope)).map(toResourceResponse);
    return { items, total: items.length };
  }

  async get(id: string, scope: AccessScope): Promise<ResourceResponse> {
    return toResourceResponse(await this.require(id, scope));
  }

  async getMany(ids: string[]): Promise<ResourceResponse[]> {
    return (await this.resources.findByIds(ids)).map(toResourceResponse);
  }

  /** Another organiser's resource is "not found", so its id does not leak. */
  private async require(id: string, scope: AccessScope): Promise<ResourceEntity> {
    const resource = isUuid(id) ? await this.resources.findVisible(id, scope) : null;
    if (!resource) throw new DomainError(ErrorCode.ResourceNotFound, `Resource '${id}' does not exist.`);
    return resource;
  }

  async create(input: CreateResourceInput, scope: AccessScope): Promise<ResourceResponse> {
    const { apiKey, endpointUrl, ...rest } = input;
    const created = await this.resources.insert({
      ...rest,
      ownerId: ownerFor(scope),
      endpointUrl: endpointUrl?.replace(/\/+$/, '') ?? '',
      apiKeyEncrypted: apiKey ? this.box.seal(apiKey) : null,
      apiKeyLast4: apiKey ? last4(apiKey) || null : null,
      apiVersion: input.apiVersion ?? null,
      modelName: input.modelName ?? null,
      tokensPerMinute: input.tokensPerMinute ?? null,
      requestsPerMinute: input.requestsPerMinute ?? null,
    });
    await this.catalog.changed();
    return toResourceResponse(created);
  }

  async update(id: string, input: UpdateResourceInput, scope: AccessScope): Promise<ResourceResponse> {
    const current = await this.require(id, scope);
    const { apiKey, endpointUrl, ...rest } = input;
    const upstream = input.upstream ?? current.upstream;
    const nextEndpoint = endpointUrl !== undefined ? endpointUrl.replace(/\/+$/, '') : current.endpointUrl;
    if (upstream !== 'simulator' && !nextEndpoint) {
      throw new DomainError(ErrorCode.ValidationFailed, 'Invalid request body: endpointUrl: required for azure and openai upstreams', {
        details: [{ field: 'endpointUrl', message: 'required for azure and openai upstreams' }],
        param: 'endpointUrl',
      });
    }
    const changes: Partial<ResourceEntity> = { ...rest, endpointUrl: nextEndpoint };
    if (apiKey !== undefined) {
      changes.apiKeyEncrypted = apiKey === null ? null : this.box.seal(apiKey);
      changes.apiKeyLast4 = apiKey === null ? null : last4(apiKey) || null;
    }
    const updated = await this.resources.update(id, changes);
    await this.catalog.changed();
    return toResourceResponse(updated!);
  }

  async remove(id: string, scope: AccessScope): Promise<void> {
    await this.require(id, scope);
    await this.resources.delete(id);
    await this.catalog.changed();
  }
}
