import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { ProcessDefinitionId } from '@camunda8/sdk';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CurrentPrincipal, Principal, Roles } from '../auth/principal';
import { Role } from '../auth/roles';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/domain-error';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';

export class StartHealthCheckDto {
  @ApiPropertyOptional({ maxLength: 200, description: 'Why the check is run (kept in the audit trail)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export interface HealthCheckResult {
  processInstanceKey: string;
  pongAt: string;
}

/** Runs bpmn/health-check.bpmn to completion: proves the engine deploys, runs and reaches our workers. */
/** The answer of a health check that went through the engine and back. */
export class HealthCheckAnswer {
  @ApiProperty({ example: '2251799813685280', description: 'The health-check process instance' }) processInstanceKey!: string;
  @ApiProperty({ format: 'date-time', example: '2026-09-14T01:00:00.000Z', description: "When the engine's worker answered" }) pongAt!: string;
}

@ApiTags('health')
@ApiBearerAuth()
@Controller('health-checks')
export class HealthCheckController {
  constructor(
    @Inject(CAMUNDA_CLIENT) private readonly client: CamundaClient,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @Roles(Role.Supervisor)
  // 200: it runs a check and reports it, nothing is created to be read again.
  @HttpCode(200)
  @Idempotent()
  @ApiOkResponse({ type: HealthCheckAnswer })
  async run(@Body() body: StartHealthCheckDto, @CurrentPrincipal() principal: Principal): Promise<HealthCheckResult> {
    let result: { processInstanceKey: string; variables: Record<string, unknown> };
    try {
      result = await this.client.createProcessInstance({
        processDefinitionId: 'health-check' as ProcessDefinitionId,
        awaitCompletion: true,
        requestTimeout: 15_000,
        fetchVariables: ['pongAt'],
      });
    } catch (error) {
      throw new DomainError('engine-unavailable', `the workflow engine did not run the health check: ${(error as Error).message}`, 503);
    }
    await this.audit.record({
      actor: { id: principal.id, roles: principal.roles },
      regionCode: principal.regionCode,
      action: 'health-check.completed',
      subjectType: 'process-instance',
      subjectId: String(result.processInstanceKey),
      details: { reason: body.reason ?? null },
    });
    return { processInstanceKey: String(result.processInstanceKey), pongAt: String(result.variables.pongAt) };
  }
}
