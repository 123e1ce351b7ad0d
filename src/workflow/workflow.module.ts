import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { camundaClientProvider, camundaWorkerClientProvider, CAMUNDA_CLIENT } from './camunda-client';
import { WorkflowService } from './workflow.service';

@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [camundaClientProvider, camundaWorkerClientProvider, WorkflowService],
  exports: [CAMUNDA_CLIENT, WorkflowService],
})
export class WorkflowModule {}
