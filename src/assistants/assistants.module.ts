import { Module } from '@nestjs/common';
import { ProxyModule } from '../proxy/proxy.module';
import { UsageModule } from '../usage/usage.module';
import { AssistantObjectsRepository } from './assistant-objects.repository';
import { AssistantOwnershipService } from './assistant-ownership.service';
import { AssistantsAliasController, AssistantsController } from './assistants.controller';
import { AssistantsService } from './assistants.service';

@Module({
  imports: [UsageModule, ProxyModule],
  controllers: [AssistantsController, AssistantsAliasController],
  providers: [AssistantsService, AssistantOwnershipService, AssistantObjectsRepository],
})
export class AssistantsModule {}
