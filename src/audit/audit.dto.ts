import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { REGION_CODE_PATTERN } from '../auth/region';
import { IsInstantOrDate } from '../common/instant-range';
import { PageQueryDto } from '../common/paging';

export const AUDIT_SORTS = ['occurredAt', 'action', 'actorId'] as const;
export type AuditSort = (typeof AUDIT_SORTS)[number];

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: '辖区（默认本人辖区）Region, 6-, 9- or 12-digit; defaults to the caller\'s', example: '410821100' })
  @IsOptional()
  @Matches(REGION_CODE_PATTERN, { message: 'regionCode must be a 6-, 9- or 12-digit region code' })
  regionCode?: string;

  @ApiPropertyOptional({ description: '对象类型 Subject type', example: 'dibao-case' })
  @IsOptional()
  @IsString()
  @MaxLength(100, { message: 'subjectType must be at most 100 characters' })
  subjectType?: string;

  @ApiPropertyOptional({ description: '对象编号 Subject id (a case id, a batch id…)', example: '0f8fad5b-d9cb-469f-a165-70867728950e' })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'subjectId must be at most 200 characters' })
  subjectId?: string;

  @ApiPropertyOptional({ description: '操作人（令牌 sub）Who acted: the token subject', example: 'demo-township-caseworker-410821100' })
  @IsOptional()
  @IsString()
  @MaxLength(255, { message: 'actor must be at most 255 characters' })
  actor?: string;

  @ApiPropertyOptional({ description: '操作 What happened, exactly', example: 'task.completed' })
  @IsOptional()
  @IsString()
  @MaxLength(100, { message: 'action must be at most 100 characters' })
  action?: string;

  @ApiPropertyOptional({
    description: '起（含）From, inclusive: an ISO 8601 date-time with offset, or a date (its start in Asia/Shanghai)',
    example: '2026-12-01',
  })
  @IsOptional()
  @IsInstantOrDate()
  from?: string;

  @ApiPropertyOptional({
    description: '止 To: a date-time with offset is exclusive; a date includes that whole day in Asia/Shanghai',
    example: '2026-12-31T23:59:59+08:00',
  })
  @IsOptional()
  @IsInstantOrDate()
  to?: string;

  @ApiPropertyOptional({ enum: AUDIT_SORTS, default: 'occurredAt', description: '排序字段 Sort by (ties by id); default occurredAt, newest first', example: 'occurredAt' })
  @IsOptional()
  @IsIn(AUDIT_SORTS, { message: `sort must be one of ${AUDIT_SORTS.join(', ')}` })
  sort: AuditSort = 'occurredAt';
}

/** One line of the audit trail. */
export class AuditEventItem {
  @ApiProperty({ example: '1024' }) id!: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-04T02:15:00.000Z' }) occurredAt!: Date;
  @ApiProperty({ example: 'demo-township-caseworker-410821100' }) actorId!: string;
  @ApiProperty({ type: [String], example: ['township-caseworker'] }) actorRoles!: string[];
  @ApiProperty({ example: '410821100201' }) regionCode!: string;
  @ApiProperty({ example: 'task.completed' }) action!: string;
  @ApiProperty({ example: 'dibao-case' }) subjectType!: string;
  @ApiProperty({ example: '0f8fad5b-d9cb-469f-a165-70867728950e' }) subjectId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { elementId: 'Task_acceptance' }, description: 'ID numbers masked' }) details!: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String, example: 'b1946ac9-2f04-4c1e-9e5b-3d8a8b2c1f00' }) requestId!: string | null;
}
