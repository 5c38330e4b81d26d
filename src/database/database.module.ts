import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DatabaseLifecycle } from './database-lifecycle';
import { openDatabase, OpenDatabase } from './data-source.factory';

const OPEN_DATABASE = Symbol('OPEN_DATABASE');

/** Provides the TypeORM DataSource; only *.repository.ts files inject it. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(
    @Inject(OPEN_DATABASE) private readonly db: OpenDatabase,
    private readonly lifecycle: DatabaseLifecycle,
  ) {}

  static forRoot(): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: OPEN_DATABASE, inject: [AppConfig], useFactory: (config: AppConfig) => openDatabase(config.database) },
        { provide: DataSource, inject: [OPEN_DATABASE], useFactory: (db: OpenDatabase) => db.dataSource },
        DatabaseLifecycle,
      ],
      exports: [DataSource, DatabaseLifecycle],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lifecycle.runBeforeClose();
    await this.db.close();
  }
}
