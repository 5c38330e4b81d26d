import { Module } from '@nestjs/common';
import { ImportController } from './import.controller';
import { ImportRepository } from './import.repository';
import { ImportService } from './import.service';

/** Imports another product's database (Azure AI Proxy today); the CLI `npm run import:aoai` shares the importer. */
@Module({
  controllers: [ImportController],
  providers: [ImportRepository, ImportService],
})
export class ImportModule {}
