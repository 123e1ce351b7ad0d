import 'reflect-metadata';
import { applyDecorators } from '@nestjs/common';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
  ValidateIf,
  validateSync,
} from 'class-validator';

const NODE_ENVS = ['development', 'test', 'production'] as const;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const CAMUNDA_AUTH_STRATEGIES = ['NONE', 'OAUTH', 'BASIC'] as const;
const AUTH_MODES = ['secret', 'oidc'] as const;

/** Only for local development and tests; refused when NODE_ENV=production. */
export const DEVELOPMENT_JWT_SECRET = 'doudi-development-secret-not-for-production-use';

const url = { require_tld: false, require_protocol: true };

/** A whole number from min to max, read from its environment string. */
function IsIntBetween(min: number, max: number, what: string) {
  const message = `must be ${what} (${min}-${max})`;
  return applyDecorators(Type(() => Number), IsInt({ message }), Min(min, { message }), Max(max, { message }));
}

/**
 * The whole configuration of the service, read from environment variables of the same names.
 * Every variable is documented in README.md ("Configuration").
 */
export class AppConfig {
  @IsIn(NODE_ENVS, { message: `must be one of ${NODE_ENVS.join(', ')}` })
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @IsIntBetween(1, 65535, 'an integer port number')
  PORT = 3000;

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** PostgreSQL connection URL; when unset an embedded PostgreSQL server is started. */
  @IsOptional()
  @IsUrl({ ...url, protocols: ['postgres', 'postgresql'] }, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL?: string = undefined;

  /**
   * The schema owner's connection, for the migrations; DATABASE_URL then is the service's role, which owns nothing
   * (README "Database roles"). Unset: migrations use DATABASE_URL (one role: works, but not least privilege).
   */
  @IsOptional()
  @IsUrl({ ...url, protocols: ['postgres', 'postgresql'] }, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_MIGRATION_URL?: string = undefined;

  @IsString({ message: 'must be a directory path' })
  EMBEDDED_PG_DIR = '.data/postgres';

  @IsIntBetween(1, 65535, 'an integer port number')
  EMBEDDED_PG_PORT = 54329;

  /** Camunda 8.8 orchestration cluster REST address (the SDK appends /v2). Unset: the service starts its embedded engine. */
  @IsOptional()
  @IsUrl({ ...url, protocols: ['http', 'https'] }, { message: 'must be an http:// or https:// URL' })
  ZEEBE_REST_ADDRESS?: string;

  /** Port of the embedded engine (loopback only), the one the compose file maps for Camunda. */
  @IsIntBetween(0, 65535, 'an integer port number')
  EMBEDDED_ENGINE_PORT = 8088;

  @IsIn(CAMUNDA_AUTH_STRATEGIES, { message: `must be one of ${CAMUNDA_AUTH_STRATEGIES.join(', ')}` })
  CAMUNDA_AUTH_STRATEGY: (typeof CAMUNDA_AUTH_STRATEGIES)[number] = 'NONE';

  @ValidateIf((c: AppConfig) => c.CAMUNDA_AUTH_STRATEGY === 'OAUTH')
  @IsUrl({ ...url, protocols: ['http', 'https'] }, { message: 'must be the OAuth token URL when CAMUNDA_AUTH_STRATEGY=OAUTH' })
  CAMUNDA_OAUTH_URL?: string = undefined;

  @ValidateIf((c: AppConfig) => c.CAMUNDA_AUTH_STRATEGY === 'OAUTH')
  @IsString({ message: 'is required when CAMUNDA_AUTH_STRATEGY=OAUTH' })
  CAMUNDA_CLIENT_ID?: string = undefined;

  @ValidateIf((c: AppConfig) => c.CAMUNDA_AUTH_STRATEGY === 'OAUTH')
  @IsString({ message: 'is required when CAMUNDA_AUTH_STRATEGY=OAUTH' })
  CAMUNDA_CLIENT_SECRET?: string = undefined;

  @ValidateIf((c: AppConfig) => c.CAMUNDA_AUTH_STRATEGY === 'BASIC')
  @IsString({ message: 'is required when CAMUNDA_AUTH_STRATEGY=BASIC' })
  CAMUNDA_BASIC_AUTH_USERNAME?: string = undefined;

  @ValidateIf((c: AppConfig) => c.CAMUNDA_AUTH_STRATEGY === 'BASIC')
  @IsString({ message: 'is required when CAMUNDA_AUTH_STRATEGY=BASIC' })
  CAMUNDA_BASIC_AUTH_PASSWORD?: string = undefined;

  @IsString({ message: 'must be a tenant id' })
  CAMUNDA_TENANT_ID = '<default>';

  /** Folder whose *.bpmn and *.form files are deployed at start-up. */
  @IsString({ message: 'must be a directory path' })
  BPMN_DIR = 'bpmn';

  @IsIn(AUTH_MODES, { message: `must be one of ${AUTH_MODES.join(', ')}` })
  AUTH_MODE: (typeof AUTH_MODES)[number] = 'secret';

  @ValidateIf((c: AppConfig) => c.AUTH_MODE === 'secret')
  @IsString({ message: 'must be a shared secret of at least 32 characters when AUTH_MODE=secret' })
  @MinLength(32, { message: 'must be a shared secret of at least 32 characters when AUTH_MODE=secret' })
  AUTH_JWT_SECRET?: string = undefined;

  @ValidateIf((c: AppConfig) => c.AUTH_MODE === 'oidc')
  @IsUrl({ ...url, protocols: ['http', 'https'] }, { message: 'must be the OIDC issuer URL when AUTH_MODE=oidc' })
  AUTH_OIDC_ISSUER?: string = undefined;

  /** Defaults to the jwks_uri of the issuer's discovery document. */
  @IsOptional()
  @IsUrl({ ...url, protocols: ['http', 'https'] }, { message: 'must be an http:// or https:// URL' })
  AUTH_OIDC_JWKS_URI?: string = undefined;

  @IsOptional()
  @IsString({ message: 'must be the expected token audience' })
  AUTH_OIDC_AUDIENCE?: string = undefined;

  /**
   * The workbench's OAuth client at the issuer (a public client: authorization code with PKCE, no secret). Unset with
   * AUTH_MODE=oidc: the API works, the workbench cannot sign anyone in and says so.
   */
  @IsOptional()
  @IsString({ message: 'must be the OIDC client id of the workbench' })
  AUTH_OIDC_CLIENT_ID?: string = undefined;

  /** Folder of the built workbench (`npm run build:web`), served at /. */
  @IsString({ message: 'must be a directory path' })
  WEB_DIR = 'dist/web';

  @IsIntBetween(1, 720, 'a whole number of hours')
  IDEMPOTENCY_TTL_HOURS = 24;

  /** An open deadline is "at risk" once this share (percent) of its time has passed. */
  @IsIntBetween(1, 99, 'a whole percentage')
  SLA_AT_RISK_PERCENT = 75;

  /** How often the sweeper marks overdue deadlines the models did not (seconds). */
  @IsIntBetween(1, 3600, 'a whole number of seconds')
  SLA_SWEEP_SECONDS = 60;

  /** Largest JSON (or form) body of any route, in bytes; CSV files are sent as text/csv or multipart instead. */
  @IsIntBetween(1024, 1_073_741_824, 'a whole number of bytes')
  JSON_BODY_LIMIT_BYTES = 1_048_576;

  /** Largest bank-results file (POST /payment-cycles/:id/bank-results), in bytes. */
  @IsIntBetween(1024, 4_294_967_296, 'a whole number of bytes')
  BANK_RESULTS_LIMIT_BYTES = 52_428_800;

  /** Largest death-record import (POST /death-records/import), in bytes. */
  @IsIntBetween(1024, 4_294_967_296, 'a whole number of bytes')
  DEATH_RECORDS_LIMIT_BYTES = 52_428_800;

  /** Largest relatives-registry import (POST /relatives-registry/import), in bytes. */
  @IsIntBetween(1024, 4_294_967_296, 'a whole number of bytes')
  RELATIVES_REGISTRY_LIMIT_BYTES = 52_428_800;

  /** Seed the demo county and cases at start-up: `on` or `off`; unset means on in development only. */
  @IsOptional()
  @IsIn(['on', 'off'], { message: 'must be on or off' })
  DEMO_DATA?: 'on' | 'off' = undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Variables whose values never appear in an error message. */
const SENSITIVE = /SECRET|PASSWORD|DATABASE_(MIGRATION_)?URL/;

/** Reads and validates the configuration; throws ConfigError naming every wrong variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const plain: Record<string, string> = {};
  for (const name of Object.keys(new AppConfig())) {
    const value = env[name];
    if (value !== undefined && value !== '') plain[name] = value;
  }
  const config = plainToInstance(AppConfig, plain, { exposeDefaultValues: true });
  if (config.AUTH_MODE === 'secret' && config.AUTH_JWT_SECRET === undefined && config.NODE_ENV !== 'production') {
    config.AUTH_JWT_SECRET = DEVELOPMENT_JWT_SECRET;
  }
  const problems = validateSync(config, { skipMissingProperties: false }).map((error) => {
    const messages = Object.values(error.constraints ?? {});
    const raw = plain[error.property];
    const got = raw === undefined ? 'unset' : SENSITIVE.test(error.property) ? 'value hidden' : `got "${raw}"`;
    return `${error.property} ${[...new Set(messages)].join('; ')} (${got})`;
  });
  if (config.NODE_ENV === 'production' && config.AUTH_MODE === 'secret' && config.AUTH_JWT_SECRET === DEVELOPMENT_JWT_SECRET) {
    problems.push('AUTH_JWT_SECRET must not be the development secret when NODE_ENV=production');
  }
  // Without DATABASE_URL an embedded server is started, whose owner the migrations use: another owner would be ignored.
  if (config.DATABASE_MIGRATION_URL && !config.DATABASE_URL) problems.push('DATABASE_MIGRATION_URL needs DATABASE_URL (the service role of the same database)');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
