import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsText } from '../common/text';
import { CurrentStepView } from '../workflow/current-step.view';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { IsIdNumber } from '../common/id-number';

const CHANNELS = ['self', 'family', 'entrusted', 'village-committee', 'hotline', 'referral'] as const;
const STATUSES = ['requested', 'replied', 'in-approval', 'paid', 'refused', 'closed'] as const;

export class UnemploymentDto {
  @ApiProperty({ example: 3, description: 'Consecutive months without any income' })
  @IsInt()
  @Min(0)
  @Max(120)
  monthsWithoutIncome!: number;

  @ApiProperty({ example: false })
  @IsBoolean()
  hasSavings!: boolean;

  @ApiProperty({ example: false, description: 'Insured against unemployment (then unemployment benefit comes first)' })
  @IsBoolean()
  unemploymentInsured!: boolean;
}

/** A request for temporary aid, accepted where the emergency happens whatever the household registration. */
export class CreateAidRequestDto {
  @ApiProperty({ example: '410821100201', description: 'Village (12 digits) where the emergency happens' })
  @Matches(/^\d{12}$/, { message: 'regionCode must be a 12-digit village code' })
  regionCode!: string;

  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS, { message: `channel must be one of ${CHANNELS.join(', ')}` })
  channel!: (typeof CHANNELS)[number];

  @ApiProperty({ enum: ['urban', 'rural'], description: 'Which dibao standard the amount table multiplies' })
  @IsIn(['urban', 'rural'], { message: 'area must be urban or rural' })
  area!: 'urban' | 'rural';

  @ApiProperty({ example: '马成' })
  @IsText(50)
  applicantName!: string;

  @ApiProperty({ example: '410821198001011237' })
  @IsIdNumber()
  applicantIdNumber!: string;

  @ApiProperty({ example: 4 })
  @IsInt()
  @Min(1)
  @Max(30)
  householdSize!: number;

  @ApiProperty({ example: '昨夜房屋失火，衣物口粮尽毁' })
  @IsText(2000)
  description!: string;

  @ApiPropertyOptional({ type: UnemploymentDto, description: 'For the one-time aid of uninsured unemployed people' })
  @IsOptional()
  @ValidateNested()
  @Type(() => UnemploymentDto)
  unemployment?: UnemploymentDto;
}

export class AidListQueryDto {
  @ApiPropertyOptional({ description: '行政区划代码（默认调用方区域）Region code; default the caller’s region', example: '410821' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}){0,2}$/, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region?: string;

  @ApiPropertyOptional({ enum: STATUSES, description: '只列此状态 Only requests in this status', example: STATUSES[0] })
  @IsOptional()
  @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` })
  status?: (typeof STATUSES)[number];
}

/** The paperwork of a rescue-first payment (法§50: 事后补充说明): registration, reasons, amount, signatures. */
export class PaperworkDto {
  @ApiProperty({ example: 'DJ-2026-0117', description: 'Registration number of the filed request' })
  @IsText(60)
  registrationNumber!: string;

  @ApiProperty({ example: '火灾致基本生活困难，先行救助' })
  @IsText(2000)
  reasons!: string;

  @ApiProperty({ example: 60000, description: 'The amount paid, in fen: must equal the payment' })
  @IsInt()
  @Min(1)
  amountFen!: number;

  @ApiProperty({ example: ['经办人 王芳', '乡镇负责人 李强', '受助人 马成'], description: 'Who signed: caseworker, township leader, recipient' })
  @IsArray()
  @ArrayMinSize(2, { message: 'signatures must name at least the caseworker and the recipient' })
  @ArrayMaxSize(10)
  @IsText(60, 1, { each: true })
  signatures!: string[];
}

export class FundCreditDto {
  @ApiProperty({ example: 500000, description: 'Fen' })
  @IsInt()
  @Min(1)
  @Max(10_000_000_000)
  amountFen!: number;

  @ApiProperty({ example: '2026年第四季度备用金' })
  @IsText(500)
  note!: string;
}

/** The answer to a new request (201; `Location` names it). */
export class AidRequestCreated {
  @ApiProperty({ format: 'uuid', example: 'b60ca589-2ff5-406b-8434-43808fd9aa6a' }) requestId!: string;
  @ApiProperty({ example: 'LS410821-2026-000001' }) requestNumber!: string;
  @ApiProperty({ enum: STATUSES, example: 'requested' }) status!: string;
  @ApiProperty({ type: String, nullable: true, example: '2251799813685321', description: 'null while the engine is down: the procedure starts later (outbox)' }) processInstanceKey!: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-09-15T01:00:00.000Z', description: 'When the township must have replied' }) replyDueAt!: string;
}

/** A request as the list answers it: its record, the ID number masked. */
export class AidRequestItem {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'LS410821-2026-000001' }) requestNumber!: string;
  @ApiProperty({ example: '410821100201' }) regionCode!: string;
  @ApiProperty({ example: '410821100' }) townshipCode!: string;
  @ApiProperty({ example: '410821' }) countyCode!: string;
  @ApiProperty({ example: 'self' }) channel!: string;
  @ApiProperty({ enum: ['urban', 'rural'], example: 'rural' }) area!: string;
  @ApiProperty({ example: '马成' }) applicantName!: string;
  @ApiProperty({ example: '410821********1237', description: 'Masked' }) applicantIdNumber!: string;
  @ApiProperty({ type: 'integer', example: 4 }) householdSize!: number;
  @ApiProperty({ example: '昨夜房屋失火，衣物口粮尽毁' }) description!: string;
  @ApiProperty({ type: UnemploymentDto, nullable: true }) unemployment!: UnemploymentDto | null;
  @ApiProperty({ enum: STATUSES, example: 'requested' }) status!: string;
  @ApiProperty({ type: String, enum: ['emergency', 'expenditure', 'unemployed'], nullable: true, description: 'Set by the township\'s reply' }) aidType!: string | null;
  @ApiProperty({ type: String, enum: ['general', 'serious', 'major'], nullable: true }) severity!: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) urgent!: boolean | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The aid, fen, once assessed' }) amountFen!: number | null;
  @ApiProperty({ type: String, enum: ['rescue-first', 'township', 'county', 'joint-meeting', 'ineligible'], nullable: true, description: 'Who approves it' }) tier!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Where a refused request was referred' }) referral!: string | null;
  @ApiProperty({ type: String, enum: ['reserve-fund', 'county-direct', 'county'], nullable: true }) paidBy!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'jiaozuo-2022-154' }) profileVersionId!: string | null;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) repliedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) paidAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The written refusal' }) refusalNotice!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, description: 'The filed paperwork of a rescue-first payment (PaperworkDto)' }) paperwork!: Record<string, unknown> | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) paperworkFiledAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2251799813685321' }) processInstanceKey!: string | null;
}

export class AidPaymentView {
  @ApiProperty({ type: 'integer', example: 1 }) instalment!: number;
  @ApiProperty({ format: 'date', example: '2026-09-01', description: 'The month paid for (its first day)' }) month!: string;
  @ApiProperty({ type: 'integer', example: 60000, description: 'fen' }) amountFen!: number;
  @ApiProperty({ example: 'reserve-fund' }) paidBy!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) paidAt!: string | null;
}

export class AidTimelineEvent {
  @ApiProperty({ example: 'requested' }) kind!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ example: 'caseworker-li' }) actorId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { channel: 'self' } }) details!: Record<string, unknown>;
}

/** `GET /temporary-aid/requests/{id}`: the record with who must act now, its deadlines, payments and timeline. */
export class AidRequestView extends AidRequestItem {
  @ApiProperty({ type: String, nullable: true, example: '东关村民委员会' }) regionName!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '城关镇' }) townshipName!: string | null;
  @ApiProperty({ type: [CurrentStepView], nullable: true, description: 'Open tasks; null when the engine cannot say (it is down)' }) currentSteps!: CurrentStepView[] | null;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Deadlines neither met nor breached' }) openDeadlines!: object[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Every deadline of the request' }) deadlines!: object[];
  @ApiProperty({ type: [AidPaymentView] }) payments!: AidPaymentView[];
  @ApiProperty({ type: [AidTimelineEvent] }) timeline!: AidTimelineEvent[];
}
