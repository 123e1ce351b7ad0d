import { Global, Module } from '@nestjs/common';
import { RegionRegistry } from './region-registry';
import { RegionsController } from './regions.controller';
import { RegionsRepository } from './regions.repository';

/** Global: every module that accepts or shows a region code uses the one registry. */
@Global()
@Module({
  controllers: [RegionsController],
  providers: [RegionsRepository, RegionRegistry],
  exports: [RegionRegistry],
})
export class RegionsModule {}
