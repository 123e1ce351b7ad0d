import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { IsText } from '../common/text';

export class CreateRegionDto {
  @ApiProperty({ example: '410821100230', description: '9-digit township under the caller’s county, or 12-digit village under a known township' })
  @Matches(/^(\d{9}|\d{12})$/, { message: 'code must be a 9-digit township or 12-digit village code' })
  code!: string;

  @ApiProperty({ example: '新村村民委员会' })
  @IsText(100)
  name!: string;
}

export class RegionChildrenQueryDto {
  @ApiProperty({ example: '410821100', description: 'the region whose direct children are listed' })
  @Matches(/^\d{6}(\d{3})?$/, { message: 'parent must be a 6- or 9-digit region code' })
  parent!: string;
}
