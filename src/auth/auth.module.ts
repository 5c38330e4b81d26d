import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdmissionService } from './admission.service';
import { AdminAuthGuard } from './guards/admin-auth.guard';
import { EventKeyGuard } from './guards/event-key.guard';

@Global()
@Module({
  providers: [AdmissionService, EventKeyGuard, { provide: APP_GUARD, useClass: AdminAuthGuard }],
  exports: [AdmissionService, EventKeyGuard],
})
export class AuthModule {}
