import { INestApplication, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { bodyParserErrors } from './common/csv-intake';
import { jsonDepthLimit } from './common/request-validation';
import { AppModule, AppOptions } from './app.module';
import { AppConfig } from './config/app-config';
import { migrateDatabase } from './database/data-source-options';
import { buildOpenApiDocument } from './openapi/document';
import { serveWorkbench } from './web/static';

/** Builds the whole application (not yet listening): used by main.ts and by every e2e test. */
export async function createApp(config: AppConfig, options: AppOptions = {}): Promise<INestApplication> {
  // Migrations first, under the migration lock: replicas (and the embedded engine) starting at once on one database
  // take turns, the first migrates and the others find nothing pending.
  if (!config.DATABASE_URL) throw new Error('createApp needs a resolved DATABASE_URL');
  // As the schema owner when DATABASE_MIGRATION_URL is given; the app then connects as the service role (DATABASE_URL).
  await migrateDatabase(config.DATABASE_MIGRATION_URL ?? config.DATABASE_URL);
  // Our own body parsers: JSON under its own limit; CSV routes read their bodies themselves (src/common/csv-intake.ts).
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), { bufferLogs: true, abortOnError: false, bodyParser: false });
  app.useBodyParser('json', { limit: config.JSON_BODY_LIMIT_BYTES });
  app.useBodyParser('urlencoded', { extended: true, limit: config.JSON_BODY_LIMIT_BYTES });
  app.use(bodyParserErrors('JSON_BODY_LIMIT_BYTES', config.JSON_BODY_LIMIT_BYTES));
  // Before any guard, interceptor or class-transformer walks it: a deeply nested body would overflow their stacks.
  app.use(jsonDepthLimit());
  app.useLogger(app.get(Logger));
  // Start-up lines were buffered until the logger was ready; without this, tests (which never listen) lose every app log.
  app.flushLogs();
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  SwaggerModule.setup('api/docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'api/docs/openapi.json' });
  // The workbench at /, same origin: its files, and its page for every other non-API GET path.
  app.use(serveWorkbench(config.WEB_DIR));
  return app;
}
