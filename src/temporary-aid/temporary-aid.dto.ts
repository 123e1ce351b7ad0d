import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsText } from '../common/text';
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
  @ApiPropertyOptional({ description: 'Region code; default the caller’s region' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}){0,2}$/, { message: 'region must be a 6-, 9- or 12-digit region code' })
  region?: string;

  @ApiPropertyOptional({ enum: STATUSES })
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
