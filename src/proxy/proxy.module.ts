import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { BackendHealthService } from './load-balancing/backend-health.service';
import { LoadBalancer } from './load-balancing/load-balancer';
import { WeightedRoundRobinBalancer } from './load-balancing/weighted-round-robin.balancer';
import { ModelsService } from './models.service';
import { MultipartContentTypeParser } from './multipart/multipart-parser';
import { InferenceProxyController } from './inference/inference.controller';
import { AzureProxyController, OpenAiProxyController } from './proxy.controller';
import { ProxyService } from './proxy.service';
import { SearchProxyController } from './search-proxy.controller';
import { UpstreamClient } from './upstream/upstream-client';

@Module({
  imports: [UsageModule],
  controllers: [AzureProxyController, OpenAiProxyController, SearchProxyController, InferenceProxyController],
  providers: [
    ProxyService,
    ModelsService,
    MultipartContentTypeParser,
    UpstreamClient,
    BackendHealthService,
    { provide: LoadBalancer, useClass: WeightedRoundRobinBalancer },
  ],
  exports: [LoadBalancer, BackendHealthService, UpstreamClient],
})
export class ProxyModule {}
