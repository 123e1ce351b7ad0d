/* `npm run token -- --role township-caseworker --region 410821100 [--role ...] [--sub id] [--expires 12h]` */
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/app-config';
import { signDevToken } from '../src/auth/dev-token';
import { isRegionCode } from '../src/auth/region';
import { ALL_ROLES, isRole } from '../src/auth/roles';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true },
      region: { type: 'string' },
      sub: { type: 'string', default: 'dev-user' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const roles = values.role ?? [];
  const unknown = roles.filter((role) => !isRole(role));
  if (roles.length === 0 || unknown.length > 0) throw new Error(`--role must be one of: ${ALL_ROLES.join(', ')}${unknown.length ? ` (got ${unknown.join(', ')})` : ''}`);
  if (!isRegionCode(values.region)) throw new Error('--region must be a 6-, 9- or 12-digit region code, e.g. 410821 or 410821100');
  const config = loadConfig();
  if (config.AUTH_MODE !== 'secret') throw new Error('AUTH_MODE=oidc: get tokens from your identity provider');
  console.log(await signDevToken(config.AUTH_JWT_SECRET!, { sub: values.sub!, roles: roles.filter(isRole), region: values.region }, values.expires));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
