import { ConfigError, DEVELOPMENT_JWT_SECRET, loadConfig } from './app-config';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('has working defaults for a newcomer (embedded database, local engine, development secret)', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, EMBEDDED_ENGINE_PORT: 8088, AUTH_MODE: 'secret', CAMUNDA_AUTH_STRATEGY: 'NONE' });
    expect(config.ZEEBE_REST_ADDRESS).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.AUTH_JWT_SECRET).toBe(DEVELOPMENT_JWT_SECRET);
  });

  it('converts numbers and keeps given values', () => {
    expect(loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u:p@db:5432/doudi' })).toMatchObject({ PORT: 8080, DATABASE_URL: 'postgres://u:p@db:5432/doudi' });
  });

  it('names each wrong variable and what is allowed', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x/y', CAMUNDA_AUTH_STRATEGY: 'OAUTH' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'PORT must be an integer port number (1-65535) (got "abc")',
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
        'DATABASE_URL must be a postgres:// or postgresql:// URL (value hidden)',
        expect.stringMatching(/^CAMUNDA_OAUTH_URL must be the OAuth token URL/),
        expect.stringMatching(/^CAMUNDA_CLIENT_ID is required when CAMUNDA_AUTH_STRATEGY=OAUTH/),
      ]),
    );
  });

  it('takes the owner\'s connection for the migrations only beside the service\'s, and never echoes either', () => {
    const urls = { DATABASE_URL: 'postgres://doudi_app:p@db:5432/doudi', DATABASE_MIGRATION_URL: 'postgres://doudi_owner:p@db:5432/doudi' };
    expect(loadConfig(urls)).toMatchObject(urls);
    expect(loadConfig({}).DATABASE_MIGRATION_URL).toBeUndefined();
    expect(problemsOf({ DATABASE_MIGRATION_URL: urls.DATABASE_MIGRATION_URL })).toEqual([
      'DATABASE_MIGRATION_URL needs DATABASE_URL (the service role of the same database)',
    ]);
    expect(problemsOf({ ...urls, DATABASE_MIGRATION_URL: 'mysql://owner:secret@db/doudi' })).toEqual([
      'DATABASE_MIGRATION_URL must be a postgres:// or postgresql:// URL (value hidden)',
    ]);
  });

  it('never echoes a secret in its message', () => {
    expect(problemsOf({ AUTH_JWT_SECRET: 'short-secret' })).toEqual([
      'AUTH_JWT_SECRET must be a shared secret of at least 32 characters when AUTH_MODE=secret (value hidden)',
    ]);
  });

  it('refuses the development secret and a missing issuer in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^AUTH_JWT_SECRET must be a shared secret/)]);
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET })).toEqual([
      'AUTH_JWT_SECRET must not be the development secret when NODE_ENV=production',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', AUTH_MODE: 'oidc' })).toEqual([expect.stringMatching(/^AUTH_OIDC_ISSUER must be the OIDC issuer URL/)]);
    expect(problemsOf({ NODE_ENV: 'production', AUTH_MODE: 'oidc', AUTH_OIDC_ISSUER: 'https://id.example.gov.cn/realms/doudi' })).toEqual([]);
  });
});
