import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsText } from '../common/text';

export class WorkbenchOidcConfig {
  @ApiProperty({ example: 'https://id.example.gov.cn/realms/doudi' }) issuer!: string;
  @ApiProperty({ example: 'doudi-workbench', nullable: true, type: String, description: 'null: AUTH_OIDC_CLIENT_ID is not set' }) clientId!: string | null;
  @ApiProperty({ example: '/auth/callback', description: 'Path of the redirect URI on this origin' }) redirectPath!: string;
  @ApiProperty({ example: 'openid profile' }) scope!: string;
}

/** What the workbench needs to know before anyone signs in. */
export class WorkbenchConfig {
  @ApiProperty({ enum: ['secret', 'oidc'] }) authMode!: 'secret' | 'oidc';
  @ApiPropertyOptional({ type: WorkbenchOidcConfig, nullable: true }) oidc!: WorkbenchOidcConfig | null;
  @ApiProperty({ description: 'The development sign-in (demo user picker) is available' }) devSignIn!: boolean;
}

export class DevUser {
  @ApiProperty({ example: 'demo-township-caseworker-410821100', description: 'Token subject' }) sub!: string;
  @ApiProperty({ example: 'township-caseworker' }) role!: string;
  @ApiProperty({ example: '410821100' }) region!: string;
  @ApiProperty({ nullable: true, type: String, example: '城关镇' }) regionName!: string | null;
  @ApiProperty({ example: '城关镇社会救助经办人 township caseworker' }) who!: string;
}

export class DevTokenDto {
  @ApiProperty({ example: 'demo-township-caseworker-410821100', description: 'One of the demo users (GET /workbench/dev-users)' })
  @IsText(100)
  sub!: string;
}

/** A development token for one demo user (secret auth mode only). */
export class DevTokenAnswer {
  @ApiProperty({ description: 'HS256 bearer token', example: 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlcyI6WyJ0b3duc2hpcC1jYXNld29ya2VyIl19.c2lnbmF0dXJl' }) token!: string;
  @ApiProperty({ example: 'demo-township-caseworker-410821100' }) sub!: string;
  @ApiProperty({ example: 'township-caseworker' }) role!: string;
  @ApiProperty({ example: '410821100' }) region!: string;
}
