import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { AdmissionService } from './admission.service';
import { AdminAuthGuard } from './guards/admin-auth.guard';
import { EventKeyGuard } from './guards/event-key.guard';
import { OrganiserModule } from './organiser/organiser.module';
import { RedisThrottlerStorage } from './throttling/redis-throttler.storage';
import { RegistrationFailures } from './throttling/registration-failures';
import { RegistrationThrottleGuard } from './throttling/registration-throttle.guard';

@Global()
@Module({
  imports: [
    OrganiserModule,
    ThrottlerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        throttlers: [{ name: 'registration', limit: config.registration.rateLimit, ttl: config.registration.rateWindowMs }],
        // Shared across instances when Redis is configured; otherwise each process counts alone.
        storage: config.scale.redisUrl ? new RedisThrottlerStorage(config.scale.redisUrl, config.scale.redisKeyPrefix) : undefined,
      }),
    }),
  ],
  providers: [AdmissionService, EventKeyGuard, RegistrationThrottleGuard, RegistrationFailures, { provide: APP_GUARD, useClass: AdminAuthGuard }],
  exports: [AdmissionService, EventKeyGuard, RegistrationThrottleGuard, RegistrationFailures, ThrottlerModule],
})
export class AuthModule {}
