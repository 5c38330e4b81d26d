import { Injectable } from '@nestjs/common';
import { HealthRepository } from './health.repository';

export interface Readiness {
  ready: boolean;
  checks: { database: 'ok' | 'unreachable'; migrations: 'ok' | 'pending' | 'unknown' };
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref()),
  ]);
}

@Injectable()
export class HealthService {
  constructor(private readonly health: HealthRepository) {}

  async readiness(): Promise<Readiness> {
    try {
      await withTimeout(this.health.ping());
    } catch {
      return { ready: false, checks: { database: 'unreachable', migrations: 'unknown' } };
    }
    const pending = await withTimeout(this.health.hasPendingMigrations()).catch(() => undefined);
    const migrations = pending === undefined ? 'unknown' : pending ? 'pending' : 'ok';
    return { ready: migrations === 'ok', checks: { database: 'ok', migrations } };
  }
}
