import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentPrincipal } from '../auth/decorators/auth.decorators';
import type { Principal } from '../auth/principal';
import { ApiAdminErrors, ApiZodBody, ApiZodResponse, ErrorBodySchema, toOpenApi } from '../common/validation/openapi';
import { ZodValidationPipe } from '../common/validation/zod-validation.pipe';
import { ImportAoaiInput, ImportAoaiSchema, ImportSummarySchema } from './dto/import.schemas';
import { ImportService } from './import.service';

@ApiTags('Admin: import')
@AdminOnly()
@ApiAdminErrors(401, 403)
@Controller('api/v1/admin/import')
export class ImportController {
  constructor(private readonly imports: ImportService) {}

  @Post('aoai')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Import an Azure AI Proxy database (owners, resources, events, attendees and their keys, usage)',
    description:
      'Reads the database with the given connection string, decrypts resource endpoints and keys with its PostgresEncryptionKey, ' +
      'and imports what is new or changed since the last import: running it again creates no duplicates. With dryRun nothing is ' +
      'written and the summary says what would be. Administrators only.',
  })
  @ApiZodBody(ImportAoaiSchema)
  @ApiZodResponse(200, ImportSummarySchema, 'What was (or, for a dry run, would be) imported')
  @ApiAdminErrors(400, 409)
  @ApiResponse({ status: 422, description: 'Not an Azure AI Proxy database, or the key decrypts nothing', schema: toOpenApi(ErrorBodySchema, 'output') })
  @ApiResponse({ status: 502, description: 'The source database could not be reached', schema: toOpenApi(ErrorBodySchema, 'output') })
  importAoai(@Body(new ZodValidationPipe(ImportAoaiSchema)) body: ImportAoaiInput, @CurrentPrincipal() principal: Principal | undefined) {
    return this.imports.importAoai(body, principal);
  }
}
