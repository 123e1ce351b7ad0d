import { Module } from '@nestjs/common';
import { RelativesRegistry } from './relatives-registry';
import { RelativesRegistryController } from './relatives-registry.controller';
import { SamplingController } from './sampling.controller';
import { SamplingService } from './sampling.service';
import { SamplingWorkers } from './sampling.workers';

@Module({ controllers: [RelativesRegistryController, SamplingController], providers: [RelativesRegistry, SamplingService, SamplingWorkers], exports: [RelativesRegistry, SamplingService] })
export class SamplingModule {}
