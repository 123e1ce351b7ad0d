import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/principal';
import { signDevToken } from '../auth/dev-token';
import { DomainError } from '../common/domain-error';
import { AppConfig } from '../config/app-config';
import { RegionRegistry } from '../regions/region-registry';
import { demoUsers } from './dev-users';
import { DevTokenAnswer, DevTokenDto, DevUser, WorkbenchConfig } from './web.dto';

/** The OIDC redirect URI's path on this origin (the workbench's own route). */
export const OIDC_REDIRECT_PATH = '/auth/callback';

/**
 * What the workbench reads before anyone signs in: the sign-in mode and, in development (AUTH_MODE=secret, NODE_ENV
 * not production), the demo users and their tokens — the same tokens as `npm run token`. Elsewhere those answer 404.
 */
@ApiTags('workbench')
@Controller('workbench')
export class WebController {
  constructor(
    private readonly config: AppConfig,
    private readonly regions: RegionRegistry,
  ) {}

  private get devSignIn(): boolean {
    return this.config.AUTH_MODE === 'secret' && this.config.NODE_ENV !== 'production';
  }

  private requireDevSignIn(): void {
    if (!this.devSignIn) throw new DomainError('not-found', 'the development sign-in is off (production, or AUTH_MODE=oidc)', 404);
  }

  @Get('config')
  @Public()
  @ApiOkResponse({ type: WorkbenchConfig })
  workbenchConfig(): WorkbenchConfig {
    const oidc =
      this.config.AUTH_MODE === 'oidc'
        ? { issuer: this.config.AUTH_OIDC_ISSUER!, clientId: this.config.AUTH_OIDC_CLIENT_ID ?? null, redirectPath: OIDC_REDIRECT_PATH, scope: 'openid profile' }
        : null;
    return { authMode: this.config.AUTH_MODE, oidc, devSignIn: this.devSignIn };
  }

  @Get('dev-users')
  @Public()
  @ApiOkResponse({ type: [DevUser] })
  async devUsers(): Promise<DevUser[]> {
    this.requireDevSignIn();
    const users = demoUsers();
    const names = new Map((await Promise.all(users.map(async (u) => [u.region, (await this.regions.chain(u.region)).at(-1)?.name ?? null] as const))));
    return users.map((u) => ({ sub: u.sub, role: u.role, region: u.region, regionName: names.get(u.region) ?? null, who: u.who }));
  }

  @Post('dev-token')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: DevTokenAnswer })
  async devToken(@Body() body: DevTokenDto): Promise<{ token: string; sub: string; role: string; region: string }> {
    this.requireDevSignIn();
    const user = demoUsers().find((u) => u.sub === body.sub);
    if (!user) throw new DomainError('unknown-demo-user', `no demo user ${body.sub}`, 404);
    const token = await signDevToken(this.config.AUTH_JWT_SECRET!, { sub: user.sub, roles: [user.role], region: user.region });
    return { token, sub: user.sub, role: user.role, region: user.region };
  }
}
