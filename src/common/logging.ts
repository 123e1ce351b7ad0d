import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/app-config';
import { maskIdNumbersIn } from './id-number';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

// Every line passes the ID-number mask, and errors keep only what says why (serializeError).
const SAFE_LINES = {
  hooks: { streamWrite: maskIdNumbersIn },
  serializers: { err: serializeError, error: serializeError },
};

/**
 * A plain pino logger with the same safety as the app's, for what runs outside Nest: the embedded engine and the
 * embedded PostgreSQL's messages.
 */
export function plainLogger(name: string, level = 'info', destination?: DestinationStream): PinoLogger {
  const options = { name, level, ...SAFE_LINES };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Structured JSON logs, one request id per request (taken from X-Request-Id when the caller sends one, and
 * echoed back). Every line passes through the ID-number mask on its way out, whatever field it sits in.
 */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  const options = {
    level: config.LOG_LEVEL as string,
    genReqId: (request: IncomingMessage, response: ServerResponse) => {
      const given = request.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      response.setHeader('X-Request-Id', id);
      return id;
    },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    ...SAFE_LINES,
    customLogLevel: (_: IncomingMessage, response: ServerResponse, error?: Error) =>
      error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
  };
  return { pinoHttp: destination ? [options, destination] : options };
}

// What an error may say in a log line: why it happened, never with what data. TypeORM's QueryFailedError carries the
// statement and its parameters (names, incomes, ID numbers) and PostgreSQL's `detail` / `where` quote row values.
const ERROR_FIELDS = ['code', 'errno', 'syscall', 'address', 'port', 'status', 'statusCode', 'severity', 'routine', 'title', 'operationId'] as const;

/** The pino `err` serializer: an allowlist of an error's fields, its cause and the errors of an AggregateError. */
export function serializeError(given: unknown, depth = 0): unknown {
  if (given === null || typeof given !== 'object') return given;
  // pino-http hands custom serializers pino's own serialization of the error: its original is `raw`.
  const error = ((given as { raw?: unknown }).raw ?? given) as object;
  const source = error as Record<string, unknown> & { message?: unknown; stack?: unknown; name?: unknown };
  const type = error.constructor?.name ?? 'Object';
  const out: Record<string, unknown> = { type };
  if (typeof source.name === 'string' && source.name !== type && source.name !== 'Error') out.name = source.name;
  if (typeof source.message === 'string') out.message = source.message;
  for (const field of ERROR_FIELDS) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (typeof source.stack === 'string') out.stack = source.stack;
  if (depth < 3) {
    if (source.cause !== undefined) out.cause = serializeError(source.cause, depth + 1);
    if (error instanceof AggregateError) out.errors = error.errors.slice(0, 5).map((e) => serializeError(e, depth + 1));
  }
  return out;
}
