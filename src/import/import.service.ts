import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/principal';
import { CatalogService } from '../catalog/catalog.service';
import { DomainError } from '../common/errors/domain-error';
import { AppConfig } from '../config/app-config';
import { ErrorCode } from '../common/errors/error-codes';
import { SecretBox } from '../resources/secret-box';
import { AoaiImporter } from './aoai/aoai-importer';
import { describeConnection } from './aoai/aoai-source';
import type { ImportAoaiInput, ImportSummary } from './dto/import.schemas';
import { ImportRepository } from './import.repository';

/** An administrator: the ADMIN_TOKEN, or a signed-in person with the administrator role (not an organiser). */
function isAdministrator(principal: Principal | undefined): boolean {
  return principal?.kind === 'admin' && principal.role === 'administrator';
}

@Injectable()
export class ImportService {
  private readonly logger = new Logger(ImportService.name);
  private running = false;

  constructor(
    private readonly repo: ImportRepository,
    private readonly box: SecretBox,
    private readonly catalog: CatalogService,
    private readonly config: AppConfig,
  ) {}

  async importAoai(input: ImportAoaiInput, principal: Principal | undefined): Promise<ImportSummary> {
    if (!isAdministrator(principal)) {
      throw new DomainError(ErrorCode.Forbidden, 'Only an administrator can import a database: it brings in every owner, event and key.');
    }
    // One at a time: two imports of one source would race on the same mappings.
    if (this.running) throw new DomainError(ErrorCode.ImportInProgress, 'An import is already running; try again when it has finished.');
    this.running = true;
    try {
      const summary = await new AoaiImporter(this.repo, this.box, { githubSignIn: !!this.config.attendeeSignIn.github }).run(input);
      if (!input.dryRun) await this.catalog.changed();
      // Counts only: the connection string and key stay out of the log.
      this.logger.log(
        {
          source: describeConnection(input.connectionString),
          dryRun: input.dryRun,
          events: summary.events,
          resources: summary.resources,
          attendees: summary.attendees,
          usage: summary.usage,
          warnings: summary.warnings.length,
        },
        'Azure AI Proxy import finished',
      );
      return summary;
    } finally {
      this.running = false;
    }
  }
}
