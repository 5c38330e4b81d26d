import { Injectable } from '@nestjs/common';

/**
 * Work that must reach the database before it closes (the usage buffer). Nest closes the HTTP server
 * after `beforeApplicationShutdown`, so requests still in flight then are only flushed here.
 */
@Injectable()
export class DatabaseLifecycle {
  private readonly beforeClose: (() => Promise<void>)[] = [];

  onBeforeClose(fn: () => Promise<void>): void {
    this.beforeClose.push(fn);
  }

  async runBeforeClose(): Promise<void> {
    for (const fn of this.beforeClose) await fn();
  }
}
