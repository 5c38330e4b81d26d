import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RunningSimulator, startSimulator } from './simulator.app';

/**
 * The simulated upstream, run in-process on a loopback port so resources with `upstream: simulator`
 * and no endpoint work out of the box (the demo, first experiments, tests).
 */
@Injectable()
export class BuiltinSimulator implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(BuiltinSimulator.name);
  private running?: RunningSimulator;
  readonly apiKey = `sim-${randomBytes(16).toString('hex')}`;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.simulator.enabled) return;
    // Each cluster worker runs its own simulator, so a fixed SIMULATOR_PORT applies to a single process only.
    const port = cluster.isWorker ? 0 : this.config.simulator.port;
    this.running = await startSimulator({ port, host: '127.0.0.1', apiKey: this.apiKey });
    this.logger.log({ url: this.running.url }, 'Built-in simulated upstream started');
  }

  /** Base URL of the built-in simulator, or undefined when it is disabled. */
  get url(): string | undefined {
    return this.running?.url;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.close();
  }
}
