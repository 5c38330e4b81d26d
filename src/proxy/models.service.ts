import { Injectable } from '@nestjs/common';
import type { AttendeePrincipal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-codes';

export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** The deployment's class, so clients can tell chat from embeddings. */
  capabilities: { model_class: string };
}

/** `/v1/models`: the deployments (and aliases) of the caller's event, in OpenAI's list shape. */
@Injectable()
export class ModelsService {
  constructor(private readonly catalog: CatalogService) {}

  list({ event }: AttendeePrincipal): { object: 'list'; data: ModelObject[] } {
    const created = Math.floor(event.startsAt.getTime() / 1000);
    const deployments = this.catalog.deploymentsOf(event.id);
    const data: ModelObject[] = [...deployments.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, resources]) => ({ id, object: 'model', created, owned_by: 'ai-proxy', capabilities: { model_class: resources[0].modelClass } }));
    for (const [alias, target] of Object.entries(event.modelAliases)) {
      const resources = deployments.get(target);
      if (resources && !deployments.has(alias)) {
        data.push({ id: alias, object: 'model', created, owned_by: 'ai-proxy', capabilities: { model_class: resources[0].modelClass } });
      }
    }
    return { object: 'list', data };
  }

  get(principal: AttendeePrincipal, id: string): ModelObject {
    const model = this.list(principal).data.find((m) => m.id === id);
    if (!model) throw new DomainError(ErrorCode.DeploymentNotFound, `The model '${id}' does not exist for this event.`, { param: 'model' });
    return model;
  }
}
