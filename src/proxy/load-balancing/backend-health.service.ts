import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { BackendHealth } from './backend-health';

/** The process-wide BackendHealth, configured from BREAKER_* settings. */
@Injectable()
export class BackendHealthService extends BackendHealth {
  constructor(config: AppConfig) {
    super(config.upstream.breaker);
  }
}
