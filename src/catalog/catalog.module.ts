import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SecretBox } from '../resources/secret-box';
import { CatalogRepository } from './catalog.repository';
import { CatalogService } from './catalog.service';

@Global()
@Module({
  providers: [
    CatalogRepository,
    CatalogService,
    { provide: SecretBox, inject: [AppConfig], useFactory: (c: AppConfig) => new SecretBox(c.secrets.encryptionKey, c.secrets.previousEncryptionKeys) },
  ],
  exports: [CatalogService, SecretBox],
})
export class CatalogModule {}
