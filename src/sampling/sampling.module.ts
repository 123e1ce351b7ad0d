import { Module } from '@nestjs/common';
import { RelativesRegistry } from './relatives-registry';
import { RelativesRegistryController } from './relatives-registry.controller';

@Module({ controllers: [RelativesRegistryController], providers: [RelativesRegistry], exports: [RelativesRegistry] })
export class SamplingModule {}
