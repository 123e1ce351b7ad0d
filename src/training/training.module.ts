import { Module } from '@nestjs/common';
import { TrainingController } from './training.controller';

/** Training installs: one clock for the service and the embedded engine (README "A training install in five minutes"). */
@Module({ controllers: [TrainingController] })
export class TrainingModule {}
